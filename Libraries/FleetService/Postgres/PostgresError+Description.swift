import PostgresNIO

/// A one-line description of a PostgreSQL error that keeps the server's message.
///
/// `PSQLError.description` deliberately hides server details; for migrations and start-up
/// failures the operator needs them (for example `relation "vehicles" already exists`).
func describePostgresError(_ error: any Error) -> String {
    if let transactionError = error as? PostgresTransactionError {
        if let inner = transactionError.closureError ?? transactionError.commitError ?? transactionError.beginError {
            return describePostgresError(inner)
        }
    }
    if let psqlError = error as? PSQLError, let serverInfo = psqlError.serverInfo {
        var description = serverInfo[.message] ?? "server error"
        if let sqlState = serverInfo[.sqlState] {
            description += " (SQLSTATE \(sqlState))"
        }
        if let detail = serverInfo[.detail] {
            description += ": \(detail)"
        }
        return description
    }
    return String(reflecting: error)
}
