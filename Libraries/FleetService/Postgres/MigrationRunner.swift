import Foundation
import Logging
import PostgresNIO

/// Applies a service's versioned migrations to its own PostgreSQL schema.
///
/// ``migrate()``:
/// 1. takes a transaction-scoped advisory lock derived from the schema name, so replicas
///    starting together queue up and each migration runs exactly once;
/// 2. creates the schema and `<schema>.schema_migrations(version, name, checksum, applied_at)`
///    if missing;
/// 3. verifies that every applied migration still exists with the same checksum;
/// 4. applies the next pending migration and records it, in the same transaction.
///
/// Steps 1–4 repeat, one transaction per migration, until nothing is pending. A failing
/// migration rolls back completely (PostgreSQL DDL is transactional) and ``migrate()`` throws.
///
/// Run it before the HTTP server starts:
/// ```swift
/// app.beforeServerStarts { try await runner.migrate() }
/// ```
public struct MigrationRunner: Sendable {
    /// The schema this service owns.
    public let schema: String
    /// All migrations, sorted by version.
    public let migrations: [Migration]

    private let client: PostgresClient
    private let logger: Logger

    /// Creates a runner.
    ///
    /// - Parameters:
    ///   - client: A `PostgresClient` whose `run()` is active (for example a service of the application).
    ///   - schema: The service's schema; must match `[a-z_][a-z0-9_]{0,62}` because it is
    ///     written into SQL as an identifier.
    ///   - migrations: Versions 1, 2, 3… in any order; usually ``Migration/load(from:)``.
    ///   - logger: Receives one line per applied migration.
    /// - Throws: ``MigrationError`` for an invalid schema name, duplicate versions or gaps.
    public init(client: PostgresClient, schema: String, migrations: [Migration], logger: Logger) throws {
        guard Self.isValidSchemaName(schema) else {
            throw MigrationError.invalidSchemaName(schema)
        }
        let sorted = migrations.sorted { $0.version < $1.version }
        for (offset, migration) in sorted.enumerated() {
            let expected = offset + 1
            if migration.version == expected { continue }
            if offset > 0 && migration.version == sorted[offset - 1].version {
                throw MigrationError.duplicateVersion(migration.version)
            }
            throw MigrationError.versionGap(expected: expected, found: migration.version)
        }
        self.client = client
        self.schema = schema
        self.migrations = sorted
        self.logger = logger
    }

    /// Whether `name` can be used as a service schema: `[a-z_][a-z0-9_]{0,62}`.
    public static func isValidSchemaName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, bytes.count <= 63 else { return false }
        func isLetterOrUnderscore(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || byte == UInt8(ascii: "_")
        }
        func isDigit(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        }
        return isLetterOrUnderscore(first) && bytes.allSatisfy { isLetterOrUnderscore($0) || isDigit($0) }
    }

    /// Brings the schema up to date.
    ///
    /// - Returns: The versions this call applied (empty when already up to date or when
    ///   another replica applied them first).
    /// - Throws: ``MigrationError`` when applied migrations do not match this build, a
    ///   migration fails, or the database rejects the bookkeeping queries.
    @discardableResult
    public func migrate() async throws -> [Int] {
        var applied: [Int] = []
        while let version = try await applyNextPendingMigration() {
            applied.append(version)
        }
        if applied.isEmpty {
            logger.debug("Schema is up to date", metadata: ["schema": "\(schema)", "version": "\(migrations.count)"])
        }
        return applied
    }

    /// The migrations recorded in `<schema>.schema_migrations`, or `[]` if it does not exist yet.
    public func appliedMigrations() async throws -> [AppliedMigration] {
        try await client.withConnection { connection in
            let exists = try await connection.query(
                "SELECT to_regclass(\(qualifiedTable)) IS NOT NULL",
                logger: logger
            )
            for try await tableExists in exists.decode(Bool.self) where !tableExists {
                return []
            }
            return try await records(on: connection)
        }
    }

    // MARK: - Steps

    /// Applies the first pending migration in one locked transaction.
    /// - Returns: Its version, or `nil` when nothing is pending.
    private func applyNextPendingMigration() async throws -> Int? {
        do {
            return try await client.withTransaction(logger: logger) { connection -> Int? in
                try await connection.query("SELECT pg_advisory_xact_lock(\(lockKey))", logger: logger)
                try await createBookkeeping(on: connection)
                let records = try await records(on: connection)
                try verify(records)
                guard records.count < migrations.count else { return nil }
                let migration = migrations[records.count]
                try await apply(migration, on: connection)
                return migration.version
            }
        } catch let error as PostgresTransactionError where error.closureError is MigrationError {
            throw error.closureError ?? error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw MigrationError.databaseFailed(schema: schema, reason: describePostgresError(error))
        }
    }

    private func createBookkeeping(on connection: PostgresConnection) async throws {
        // Checked first: CREATE SCHEMA IF NOT EXISTS needs the CREATE privilege on the database
        // even when the schema exists, and a DBA may have created the schema for the service.
        let existing = try await connection.query("SELECT 1 FROM pg_namespace WHERE nspname = \(schema)", logger: logger)
        var schemaExists = false
        for try await _ in existing {
            schemaExists = true
        }
        if !schemaExists {
            try await connection.query(PostgresQuery(unsafeSQL: "CREATE SCHEMA \(schema)"), logger: logger)
        }
        try await connection.query(
            PostgresQuery(
                unsafeSQL: """
                    CREATE TABLE IF NOT EXISTS \(schema).schema_migrations (
                        version integer PRIMARY KEY,
                        name text NOT NULL,
                        checksum text NOT NULL,
                        applied_at timestamptz NOT NULL DEFAULT now()
                    )
                    """
            ),
            logger: logger
        )
    }

    private func records(on connection: PostgresConnection) async throws -> [AppliedMigration] {
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT version, name, checksum, applied_at FROM \(schema).schema_migrations ORDER BY version"),
            logger: logger
        )
        var records: [AppliedMigration] = []
        for try await (version, name, checksum, appliedAt) in rows.decode((Int, String, String, Date).self) {
            records.append(AppliedMigration(version: version, name: name, checksum: checksum, appliedAt: appliedAt))
        }
        return records
    }

    /// The applied migrations must be exactly versions 1…k of this build, unchanged.
    private func verify(_ records: [AppliedMigration]) throws {
        for (offset, record) in records.enumerated() {
            guard record.version <= migrations.count else {
                throw MigrationError.unknownAppliedVersion(version: record.version, name: record.name)
            }
            guard record.version == offset + 1 else {
                throw MigrationError.versionGap(expected: offset + 1, found: record.version)
            }
            let migration = migrations[offset]
            guard record.checksum == migration.checksum else {
                throw MigrationError.checksumMismatch(
                    version: record.version,
                    name: migration.name,
                    applied: record.checksum,
                    current: migration.checksum
                )
            }
        }
    }

    private func apply(_ migration: Migration, on connection: PostgresConnection) async throws {
        let clock = ContinuousClock()
        let start = clock.now
        // Unqualified names in migration files resolve to the service's schema (for this transaction only),
        // so a service can run under any schema name (tests use a fresh one each).
        try await connection.query(PostgresQuery(unsafeSQL: "SET LOCAL search_path TO \(schema), public"), logger: logger)
        for (offset, statement) in migration.statements.enumerated() {
            do {
                try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            } catch {
                throw MigrationError.statementFailed(
                    version: migration.version,
                    name: migration.name,
                    statement: offset + 1,
                    reason: describePostgresError(error)
                )
            }
        }
        try await connection.query(
            """
            INSERT INTO \(unescaped: schema).schema_migrations (version, name, checksum)
            VALUES (\(migration.version), \(migration.name), \(migration.checksum))
            """,
            logger: logger
        )
        logger.info(
            "Applied migration",
            metadata: [
                "schema": "\(schema)",
                "migration.version": "\(migration.version)",
                "migration.name": "\(migration.name)",
                "duration": "\(clock.now - start)",
            ]
        )
    }

    // MARK: - Names

    /// `'<schema>.schema_migrations'` as a bound text parameter for `to_regclass`.
    private var qualifiedTable: String { "\(schema).schema_migrations" }

    /// A stable 64-bit advisory lock key for this schema (FNV-1a of `fleet.migrations.<schema>`).
    private var lockKey: Int64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in "fleet.migrations.\(schema)".utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return Int64(bitPattern: hash)
    }
}
