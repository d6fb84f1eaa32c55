import Foundation
import Logging
import PostgresNIO

/// The one INSERT of an audit row, shared by every repository so audit entries commit with the change they describe.
enum AuditSQL {
    static func insert(_ entry: AuditEntry, schema: String, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query(
            """
            INSERT INTO \(unescaped: schema).audit_log (actor_token_id, actor_name, action, target, outcome, details, remote_address)
            VALUES (\(entry.actorTokenID), \(entry.actorName), \(entry.action), \(entry.target), \(entry.outcome), \(entry.details), \(entry.remoteAddress))
            """,
            logger: logger
        )
    }
}
