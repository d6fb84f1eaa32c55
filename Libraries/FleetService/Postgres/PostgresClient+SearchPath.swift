import Logging
import PostgresNIO

/// The client's search path does not start with the expected schema.
public struct PostgresSearchPathError: Error, CustomStringConvertible {
    public var expected: String
    public var actual: String?

    public var description: String {
        "PostgreSQL resolves unqualified names in schema \(actual ?? "(none)"), expected \(expected): create the client with searchPath: \(expected)"
    }
}

extension PostgresClient {
    /// Fails unless unqualified names resolve in `schema`, as they do on a client made with
    /// ``PostgresConfiguration/clientConfiguration(searchPath:)``: prepared statements, whose SQL is fixed, rely on it.
    /// Call once the schema exists (after migrating): a missing schema is skipped by the search path.
    public func requireSearchPath(_ schema: String, logger: Logger) async throws {
        for try await current in try await query("SELECT current_schema()", logger: logger).decode(String?.self) {
            guard current == schema else { throw PostgresSearchPathError(expected: schema, actual: current) }
        }
    }
}
