import Foundation
import Logging
import PostgresNIO

/// ``AuditRepository`` on PostgreSQL (`<schema>.audit_log`).
public struct PostgresAuditRepository: AuditRepository {
    let client: PostgresClient
    let schema: String
    let logger: Logger

    public init(client: PostgresClient, schema: String, logger: Logger) {
        self.client = client
        self.schema = schema
        self.logger = logger
    }

    public func record(_ entry: AuditEntry) async throws {
        try await client.withConnection { connection in
            try await AuditSQL.insert(entry, schema: schema, on: connection, logger: logger)
        }
    }

    public func list(action: String?, actorTokenID: String?, before: Int64?, limit: Int) async throws -> [AuditEntry] {
        let rows = try await client.query(
            """
            SELECT id, at, actor_token_id, actor_name, action, target, outcome, details, remote_address
            FROM \(unescaped: schema).audit_log
            WHERE (\(action)::text IS NULL OR action = \(action))
              AND (\(actorTokenID)::text IS NULL OR actor_token_id = \(actorTokenID))
              AND (\(before)::bigint IS NULL OR id < \(before))
            ORDER BY id DESC LIMIT \(limit)
            """,
            logger: logger
        )
        var entries: [AuditEntry] = []
        for try await (id, at, tokenID, name, action, target, outcome, details, remote) in rows.decode(
            (Int64, Date, String?, String?, String, String?, String, String?, String?).self
        ) {
            entries.append(AuditEntry(id: id, at: at, actorTokenID: tokenID, actorName: name, action: action, target: target, outcome: outcome, details: details, remoteAddress: remote))
        }
        return entries
    }
}
