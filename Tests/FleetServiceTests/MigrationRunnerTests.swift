import FleetService
import FleetTestSupport
import PostgresNIO
import Testing

@Suite("MigrationRunner (PostgreSQL)", .enabled(if: TestPostgres.isConfigured, "FLEET_POSTGRES_HOST is not set"))
struct MigrationRunnerTests {
    private func migrations(_ schema: String) -> [Migration] {
        [
            Migration(
                version: 1,
                name: "create_vehicles",
                sql: "CREATE TABLE \(schema).vehicles (id int PRIMARY KEY, name text NOT NULL);"
            ),
            Migration(version: 2, name: "seed", sql: "INSERT INTO \(schema).vehicles VALUES (1, 'truck');"),
        ]
    }

    private func count(_ table: String, client: PostgresClient) async throws -> Int {
        let rows = try await client.query(PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(table)"))
        for try await count in rows.decode(Int.self) {
            return count
        }
        return -1
    }

    @Test("Applies pending migrations once and records them")
    func appliesAndRecords() async throws {
        try await TestPostgres.withSchema { client, schema in
            let migrations = migrations(schema)
            let runner = try MigrationRunner(client: client, schema: schema, migrations: migrations, logger: silentLogger)
            #expect(try await runner.appliedMigrations().isEmpty)

            #expect(try await runner.migrate() == [1, 2])

            let applied = try await runner.appliedMigrations()
            #expect(applied.map(\.version) == [1, 2])
            #expect(applied.map(\.name) == ["create_vehicles", "seed"])
            #expect(applied.map(\.checksum) == migrations.map(\.checksum))
            #expect(try await count("\(schema).vehicles", client: client) == 1)

            // Re-running is a no-op: the seed row is not inserted twice.
            #expect(try await runner.migrate() == [])
            #expect(try await count("\(schema).vehicles", client: client) == 1)
            #expect(try await runner.appliedMigrations() == applied)
        }
    }

    @Test("New migrations are applied on top of existing ones")
    func incremental() async throws {
        try await TestPostgres.withSchema { client, schema in
            let first = Array(migrations(schema).prefix(1))
            #expect(try await MigrationRunner(client: client, schema: schema, migrations: first, logger: silentLogger).migrate() == [1])
            let all = try MigrationRunner(client: client, schema: schema, migrations: migrations(schema), logger: silentLogger)
            #expect(try await all.migrate() == [2])
        }
    }

    @Test("Concurrent runners apply each migration exactly once")
    func concurrentRunners() async throws {
        try await TestPostgres.withSchema(poolSize: 8) { client, schema in
            // No IF NOT EXISTS anywhere: a second application would fail or duplicate rows.
            let migrations = [
                Migration(version: 1, name: "create", sql: "CREATE TABLE \(schema).events (id serial PRIMARY KEY, note text);"),
                Migration(version: 2, name: "slow", sql: "SELECT pg_sleep(0.2); INSERT INTO \(schema).events (note) VALUES ('two');"),
                Migration(version: 3, name: "three", sql: "INSERT INTO \(schema).events (note) VALUES ('three');"),
            ]
            let replicas = 4
            let results = try await withThrowingTaskGroup(of: [Int].self) { group in
                for _ in 0..<replicas {
                    let runner = try MigrationRunner(client: client, schema: schema, migrations: migrations, logger: silentLogger)
                    group.addTask { try await runner.migrate() }
                }
                var results: [[Int]] = []
                for try await applied in group {
                    results.append(applied)
                }
                return results
            }
            #expect(results.flatMap { $0 }.sorted() == [1, 2, 3])
            #expect(try await count("\(schema).events", client: client) == 2)
            #expect(try await count("\(schema).schema_migrations", client: client) == 3)
        }
    }

    @Test("An edited applied migration stops the runner")
    func checksumMismatch() async throws {
        try await TestPostgres.withSchema { client, schema in
            var migrations = migrations(schema)
            try await MigrationRunner(client: client, schema: schema, migrations: migrations, logger: silentLogger).migrate()

            let original = migrations[1].checksum
            migrations[1].sql = "INSERT INTO \(schema).vehicles VALUES (1, 'van');"
            let edited = try MigrationRunner(client: client, schema: schema, migrations: migrations, logger: silentLogger)
            await #expect(
                throws: MigrationError.checksumMismatch(version: 2, name: "seed", applied: original, current: migrations[1].checksum)
            ) {
                try await edited.migrate()
            }
        }
    }

    @Test("A database ahead of the build stops the runner")
    func unknownAppliedVersion() async throws {
        try await TestPostgres.withSchema { client, schema in
            try await MigrationRunner(client: client, schema: schema, migrations: migrations(schema), logger: silentLogger).migrate()
            let older = try MigrationRunner(client: client, schema: schema, migrations: Array(migrations(schema).prefix(1)), logger: silentLogger)
            await #expect(throws: MigrationError.unknownAppliedVersion(version: 2, name: "seed")) {
                try await older.migrate()
            }
        }
    }

    @Test("A gap in recorded versions stops the runner")
    func recordedGap() async throws {
        try await TestPostgres.withSchema { client, schema in
            let runner = try MigrationRunner(client: client, schema: schema, migrations: migrations(schema), logger: silentLogger)
            try await runner.migrate()
            try await client.query(PostgresQuery(unsafeSQL: "DELETE FROM \(schema).schema_migrations WHERE version = 1"))
            await #expect(throws: MigrationError.versionGap(expected: 1, found: 2)) {
                try await runner.migrate()
            }
        }
    }

    @Test("Multi-statement migrations with functions, quotes and comments run completely")
    func multiStatement() async throws {
        try await TestPostgres.withSchema { client, schema in
            let sql = """
                -- vehicles and a helper function
                CREATE TABLE \(schema).notes (id int PRIMARY KEY, body text NOT NULL);
                INSERT INTO \(schema).notes VALUES (1, 'semi;colon'), (2, 'it''s "quoted"');
                /* a block comment; with a semicolon */
                CREATE FUNCTION \(schema).double_it(x int) RETURNS int LANGUAGE plpgsql AS $$
                BEGIN
                    RETURN x * 2;
                END;
                $$;
                CREATE INDEX notes_body ON \(schema).notes (body);
                """
            let runner = try MigrationRunner(
                client: client,
                schema: schema,
                migrations: [Migration(version: 1, name: "notes", sql: sql)],
                logger: silentLogger
            )
            #expect(try await runner.migrate() == [1])

            let rows = try await client.query(PostgresQuery(unsafeSQL: "SELECT body FROM \(schema).notes ORDER BY id"))
            var bodies: [String] = []
            for try await body in rows.decode(String.self) {
                bodies.append(body)
            }
            #expect(bodies == ["semi;colon", "it's \"quoted\""])

            let doubled = try await client.query(PostgresQuery(unsafeSQL: "SELECT \(schema).double_it(21)"))
            for try await value in doubled.decode(Int.self) {
                #expect(value == 42)
            }
        }
    }

    @Test("A failing migration rolls back entirely and reports the statement")
    func failingMigrationRollsBack() async throws {
        try await TestPostgres.withSchema { client, schema in
            let migrations = [
                Migration(version: 1, name: "ok", sql: "CREATE TABLE \(schema).a (id int);"),
                Migration(version: 2, name: "broken", sql: "CREATE TABLE \(schema).b (id int); SELECT * FROM \(schema).missing;"),
            ]
            let runner = try MigrationRunner(client: client, schema: schema, migrations: migrations, logger: silentLogger)
            let error = await #expect(throws: MigrationError.self) {
                try await runner.migrate()
            }
            guard case .statementFailed(let version, let name, let statement, let reason) = error else {
                Issue.record("unexpected error \(String(describing: error))")
                return
            }
            #expect(version == 2)
            #expect(name == "broken")
            #expect(statement == 2)
            #expect(reason.contains("does not exist"))

            #expect(try await runner.appliedMigrations().map(\.version) == [1])
            let tables = try await client.query(
                "SELECT to_regclass(\(schema + ".b")) IS NULL"
            )
            for try await isMissing in tables.decode(Bool.self) {
                #expect(isMissing, "table b must have been rolled back")
            }
        }
    }

    @Test("Postgres readiness check answers SELECT 1")
    func postgresReadiness() async throws {
        try await TestPostgres.withSchema { client, _ in
            #expect(await ReadinessCheck.postgres(client).evaluate() == nil)
        }
    }
}
