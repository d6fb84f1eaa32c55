/// One versioned schema change.
///
/// Versions start at 1 and increase by exactly 1. Once applied, a migration must never be
/// edited: its ``checksum`` is recorded and ``MigrationRunner`` refuses to start if it changes.
/// Add a new migration instead.
public struct Migration: Sendable, Equatable {
    /// Position in the sequence, starting at 1.
    public var version: Int
    /// Short description, for example `create_vehicles`.
    public var name: String
    /// The SQL to run. May contain several statements separated by `;`.
    public var sql: String

    /// Creates a migration.
    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }

    /// SHA-256 of ``sql`` (hex). Line endings are normalised to `\n` first so a checkout
    /// with CRLF line endings does not look like an edited migration.
    public var checksum: String {
        SHA256.hexDigest(sql.replacing("\r\n", with: "\n").utf8)
    }

    /// The individual statements of ``sql``, split at top-level semicolons (quotes,
    /// dollar-quoted bodies and comments are respected; comment-only fragments are dropped).
    public var statements: [String] {
        SQLStatementSplitter.split(sql)
    }
}
