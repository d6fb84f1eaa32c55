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

/// Runs `operation`, and again (at most `attempts` times in all) while it fails with a conflict
/// (``isPostgresConflict(_:)``); `willRetry` is told each retry's attempt number. Other errors, and the conflict of the
/// last attempt, are thrown. For single statements, which a conflict aborts as a whole.
public func retryingPostgresConflicts<Value>(
    attempts: Int = 3, willRetry: (Int, any Error) -> Void = { _, _ in }, _ operation: () async throws -> Value
) async throws -> Value {
    var attempt = 1
    while true {
        do {
            return try await operation()
        } catch where attempt < attempts && isPostgresConflict(error) {
            willRetry(attempt, error)
            attempt += 1
        }
    }
}
