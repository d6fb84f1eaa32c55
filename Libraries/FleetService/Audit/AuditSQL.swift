import Foundation
import Logging
import PostgresNIO

/// The audit log's table and its one INSERT, shared by every service so entries can commit with the change they
/// describe.
public enum AuditSQL {
    /// The audit-log columns an entry fills, in the order of its values.
    public static let columns = "actor_token_id, actor_name, action, target, outcome, details, remote_address"

    /// The table, for a service's migrations (`Migration.auditLog(version:)`).
    public static let createTable = """
        -- Who did what, when, from where.
        CREATE TABLE audit_log (
            id bigserial PRIMARY KEY,
            at timestamptz NOT NULL DEFAULT clock_timestamp(),
            actor_token_id text,
            actor_name text,
            action text NOT NULL,
            target text,
            outcome text NOT NULL,
            details text,
            remote_address text
        );
        CREATE INDEX audit_log_by_action ON audit_log (action, id DESC);
        """

    /// Inserts `entry` on `connection` (inside the caller's transaction, if any). The schema is the search path.
    public static func insert(_ entry: AuditEntry, schema: String, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query(
            """
            INSERT INTO \(unescaped: schema).audit_log (\(unescaped: columns))
            VALUES (\(entry.actorTokenID), \(entry.actorName), \(entry.action), \(entry.target), \(entry.outcome), \(entry.details), \(entry.remoteAddress))
            """,
            logger: logger
        )
    }
}

extension Migration {
    /// The kit's audit-log table as migration `version` of a service that has no audit log of its own yet.
    public static func auditLog(version: Int) -> Migration {
        Migration(version: version, name: "audit_log", sql: AuditSQL.createTable)
    }
}
