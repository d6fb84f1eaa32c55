import Configuration
import FleetService
import FleetTestSupport
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import Testing

/// The pattern a service's `App+build.swift` follows, end to end against PostgreSQL.
@Suite("Service composition (PostgreSQL)", .enabled(if: TestPostgres.isConfigured, "FLEET_POSTGRES_HOST is not set"))
struct ServiceCompositionTests {
    @Test("Migrations run before the server starts and readiness reports the database")
    func appWithPostgres() async throws {
        try await TestPostgres.withSchema { admin, schema in
            let reader = ConfigReader(providers: [
                InMemoryProvider(values: ["fleet.http.port": 0]),
                EnvironmentVariablesProvider(),
            ])
            let configuration = try FleetConfiguration(serviceName: "composition", reader: reader)
            let runtime = FleetServiceRuntime(configuration: configuration, logger: silentLogger)

            let postgres = runtime.makePostgresClient()
            let migrations = try MigrationRunner(
                client: postgres,
                schema: schema,
                migrations: [
                    Migration(version: 1, name: "vehicles", sql: "CREATE TABLE \(schema).vehicles (id int PRIMARY KEY);"),
                    Migration(version: 2, name: "seed", sql: "INSERT INTO \(schema).vehicles VALUES (1), (2);"),
                ],
                logger: runtime.logger
            )
            let router = runtime.makeRouter(readinessChecks: [.postgres(postgres)])
            router.get("vehicles/count") { _, _ -> String in
                let rows = try await postgres.query(PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(schema).vehicles"))
                for try await count in rows.decode(Int.self) {
                    return "\(count)"
                }
                throw HTTPError(.internalServerError)
            }
            var app = runtime.makeApplication(router: router, services: [postgres])
            app.beforeServerStarts { try await migrations.migrate() }

            try await app.test(.live) { client in
                try await client.execute(uri: "/health/ready", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(String(buffer: response.body).contains(#""postgres":"up""#))
                }
                try await client.execute(uri: "/vehicles/count", method: .get) { response in
                    #expect(String(buffer: response.body) == "2")
                }
            }

            let applied = try MigrationRunner(client: admin, schema: schema, migrations: [], logger: silentLogger)
            #expect(try await applied.appliedMigrations().map(\.version) == [1, 2])
        }
    }
}
