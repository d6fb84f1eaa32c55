import Foundation

/// A row of `<schema>.schema_migrations`.
public struct AppliedMigration: Sendable, Equatable {
    /// The migration's version.
    public var version: Int
    /// The migration's name when it was applied.
    public var name: String
    /// The SHA-256 of the SQL that was applied, see ``Migration/checksum``.
    public var checksum: String
    /// When the migration's transaction ran.
    public var appliedAt: Date

    /// Creates a record.
    public init(version: Int, name: String, checksum: String, appliedAt: Date) {
        self.version = version
        self.name = name
        self.checksum = checksum
        self.appliedAt = appliedAt
    }
}
