import Foundation
import Logging
import PostgresNIO

/// The one INSERT of an audit row, shared by every repository so audit entries commit with the change they describe.
/// (Command creation embeds the same INSERT, with ``columns``, in its single statement.)
enum AuditSQL {
    /// The audit-log columns an entry fills, in the order of its values.
    static let columns = "actor_token_id, actor_name, action, target, outcome, details, remote_address"

    static func insert(_ entry: AuditEntry, schema: String, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query(
            """
            INSERT INTO \(unescaped: schema).audit_log (\(unescaped: columns))
            VALUES (\(entry.actorTokenID), \(entry.actorName), \(entry.action), \(entry.target), \(entry.outcome), \(entry.details), \(entry.remoteAddress))
            """,
            logger: logger
        )
    }
}
