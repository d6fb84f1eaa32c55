import Foundation
import Logging
import PostgresNIO

/// ``RuleRepository`` over the service's PostgreSQL schema; rules are stored as their JSON definition.
struct PostgresRuleRepository: RuleRepository {
    let client: PostgresClient
    let schema: String
    let logger: Logger

    func all() async throws -> [StoredRule] {
        try await Self.decode(
            client.query("SELECT definition::text, source FROM \(unescaped: schema).rules ORDER BY id", logger: logger))
    }

    func rule(id: String) async throws -> StoredRule? {
        try await Self.decode(
            client.query("SELECT definition::text, source FROM \(unescaped: schema).rules WHERE id = \(id)", logger: logger)
        ).first
    }

    func put(_ rule: AlertRule) async throws -> RuleWrite {
        let definition = String(decoding: try JSONEncoder().encode(rule), as: UTF8.self)
        let rows = try await client.query(
            """
            INSERT INTO \(unescaped: schema).rules (id, source, definition) VALUES (\(rule.id), 'api', \(definition)::jsonb)
            ON CONFLICT (id) DO UPDATE SET definition = EXCLUDED.definition, updated_at = now()
                WHERE \(unescaped: schema).rules.source = 'api'
            RETURNING (xmax = 0)
            """, logger: logger)
        for try await inserted in rows.decode(Bool.self) {
            let stored = StoredRule(rule: rule, source: "api")
            return inserted ? .created(stored) : .replaced(stored)
        }
        return .readOnly
    }

    func delete(id: String) async throws -> Bool? {
        guard let existing = try await rule(id: id) else { return nil }
        guard existing.source == "api" else { return false }
        try await client.query("DELETE FROM \(unescaped: schema).rules WHERE id = \(id) AND source = 'api'", logger: logger)
        return true
    }

    func syncFileRules(_ rules: [AlertRule]) async throws {
        let ids = rules.map(\.id)
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query(
                "DELETE FROM \(unescaped: schema).rules WHERE source = 'file' AND NOT (id = ANY(\(ids)::text[]))", logger: logger)
            for rule in rules {
                let definition = String(decoding: try JSONEncoder().encode(rule), as: UTF8.self)
                try await connection.query(
                    """
                    INSERT INTO \(unescaped: schema).rules (id, source, definition) VALUES (\(rule.id), 'file', \(definition)::jsonb)
                    ON CONFLICT (id) DO UPDATE SET source = 'file', definition = EXCLUDED.definition, updated_at = now()
                    """, logger: logger)
            }
        }
    }

    static func decode(_ rows: PostgresRowSequence) async throws -> [StoredRule] {
        var result: [StoredRule] = []
        for try await (definition, source) in rows.decode((String, String).self) {
            let rule = try JSONDecoder().decode(AlertRule.self, from: Data(definition.utf8))
            result.append(StoredRule(rule: rule, source: source))
        }
        return result
    }
}
