/// Why ``MigrationRunner`` refused to migrate.
public enum MigrationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The schema name is not a lowercase SQL identifier (`[a-z_][a-z0-9_]{0,62}`).
    case invalidSchemaName(String)
    /// A `.sql` file in the migrations directory is not named `NNNN_name.sql`.
    case invalidFileName(String)
    /// The service's bundle has no `Migrations` resource directory (Package.swift: `resources: [.copy("Migrations")]`).
    case missingMigrations(bundle: String)
    /// Two migrations share a version.
    case duplicateVersion(Int)
    /// Versions must be 1, 2, 3…; `expected` is missing and `found` came instead.
    case versionGap(expected: Int, found: Int)
    /// An applied migration's SQL was edited after it ran.
    case checksumMismatch(version: Int, name: String, applied: String, current: String)
    /// The database has a migration this build does not know (it is older than the schema).
    case unknownAppliedVersion(version: Int, name: String)
    /// A statement of a migration failed; the migration's transaction was rolled back.
    case statementFailed(version: Int, name: String, statement: Int, reason: String)
    /// Locking, bookkeeping or committing failed (for example: permission denied, connection lost).
    case databaseFailed(schema: String, reason: String)

    public var description: String {
        switch self {
        case .invalidSchemaName(let name):
            return "Invalid schema name \"\(name)\": use a lowercase identifier matching [a-z_][a-z0-9_]{0,62}"
        case .invalidFileName(let fileName):
            return "Invalid migration file name \"\(fileName)\": expected NNNN_name.sql, for example 0001_create_vehicles.sql"
        case .missingMigrations(let bundle):
            return "The Migrations resource directory is missing from bundle \(bundle); ship it with resources: [.copy(\"Migrations\")]"
        case .duplicateVersion(let version):
            return "Migration version \(version) is defined more than once"
        case .versionGap(let expected, let found):
            return "Migration versions must be consecutive from 1: expected \(expected), found \(found)"
        case .checksumMismatch(let version, let name, let applied, let current):
            return
                "Migration \(version)_\(name) was modified after it was applied (applied checksum \(applied), current \(current)); "
                + "restore the original file and add a new migration instead"
        case .unknownAppliedVersion(let version, let name):
            return "The database has migration \(version)_\(name) applied, which this build does not contain; refusing to run an older build"
        case .statementFailed(let version, let name, let statement, let reason):
            return "Migration \(version)_\(name) failed at statement \(statement) and was rolled back: \(reason)"
        case .databaseFailed(let schema, let reason):
            return "Migrating schema \(schema) failed: \(reason)"
        }
    }
}
