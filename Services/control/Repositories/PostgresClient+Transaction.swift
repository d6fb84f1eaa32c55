import Logging
import PostgresNIO

extension PostgresClient {
    /// `withTransaction`, rethrowing the closure's own error instead of PostgresNIO's wrapper,
    /// so an `HTTPError` thrown inside reaches the client unchanged (the transaction is still rolled back).
    func withUnwrappedTransaction<Result: Sendable>(
        logger: Logger,
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        do {
            return try await withTransaction(logger: logger) { connection in try await body(connection) }
        } catch let error as PostgresTransactionError {
            if let closureError = error.closureError { throw closureError }
            throw error
        }
    }
}
