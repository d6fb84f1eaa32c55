import Configuration
import FleetService
import Foundation
import Logging
import PostgresNIO

/// Access to the real PostgreSQL the test script starts.
///
/// Tests using it are enabled when `FLEET_POSTGRES_HOST` is set. If it is set but the server
/// cannot be reached, they fail: a broken database must never look like a passing suite.
public enum TestPostgres {
    public static var isConfigured: Bool {
        ProcessInfo.processInfo.environment["FLEET_POSTGRES_HOST"] != nil
    }

    public struct Unreachable: Error, CustomStringConvertible {
        public var configuration: PostgresConfiguration
        public var reason: String
        public var description: String { "PostgreSQL \(configuration) is unreachable: \(reason)" }
    }

    /// Runs `body` with a running client and a fresh schema name (the client's search path, as in the services);
    /// drops the schema afterwards.
    public static func withSchema(
        poolSize: Int = 8,
        _ body: (_ client: PostgresClient, _ schema: String) async throws -> Void
    ) async throws {
        var configuration = try PostgresConfiguration(reader: ConfigReader(provider: EnvironmentVariablesProvider()))
        configuration.poolSize = poolSize
        configuration.connectTimeout = .seconds(5)
        let schema = "fleet_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
        let client = PostgresClient(configuration: configuration.clientConfiguration(searchPath: schema), backgroundLogger: silentLogger)

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }

            if let reason = await ReadinessCheck.postgres(client, timeout: .seconds(15)).evaluate() {
                throw Unreachable(configuration: configuration, reason: reason)
            }
            do {
                try await body(client, schema)
            } catch {
                try? await dropSchema(schema, client: client)
                throw error
            }
            try await dropSchema(schema, client: client)
        }
    }

    private static func dropSchema(_ schema: String, client: PostgresClient) async throws {
        try await client.query(PostgresQuery(unsafeSQL: "DROP SCHEMA IF EXISTS \(schema) CASCADE"))
    }
}
