import PostgresNIO

/// Whether `error` is PostgreSQL aborting a statement only because it conflicted with a concurrent one (deadlock or
/// serialization failure, SQLSTATE class 40), so that running the same statement again is the right answer.
public func isPostgresConflict(_ error: any Error) -> Bool {
    if let transactionError = error as? PostgresTransactionError,
        let inner = transactionError.closureError ?? transactionError.commitError ?? transactionError.beginError
    {
        return isPostgresConflict(inner)
    }
    guard let sqlState = (error as? PSQLError)?.serverInfo?[.sqlState] else { return false }
    return sqlState == "40P01" || sqlState == "40001"
}
