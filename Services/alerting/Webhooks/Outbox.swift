import FleetCore
import Logging
import PostgresNIO

/// Writes webhook messages into the `deliveries` outbox, inside the caller's transaction.
enum Outbox {
    /// Inserts one pending delivery per enabled webhook whose filter accepts `type` at `severity`;
    /// returns how many were written.
    @discardableResult
    static func enqueue(
        _ payload: WebhookPayload, severity: String, alertID: String?, schema: String, on connection: PostgresConnection,
        logger: Logger
    ) async throws -> Int {
        let body = try payload.encoded()
        let type = payload.type
        let rows = try await connection.query(
            """
            INSERT INTO \(unescaped: schema).deliveries (id, webhook_id, alert_id, event_type, payload, status)
            SELECT 'msg_' || replace(gen_random_uuid()::text, '-', ''), w.id, \(alertID), \(type), \(body), 'pending'
            FROM \(unescaped: schema).webhooks w
            WHERE w.enabled
              AND (cardinality(w.event_types) = 0 OR \(type) = ANY(w.event_types))
              AND \(unescaped: severityRank("w.min_severity"))
                  <= (CASE \(severity)::text WHEN 'critical' THEN 2 WHEN 'warning' THEN 1 ELSE 0 END)
            RETURNING id
            """,
            logger: logger
        )
        var count = 0
        for try await _ in rows { count += 1 }
        return count
    }

    /// A SQL expression ranking a severity text: info 0, warning 1, critical 2.
    static func severityRank(_ expression: String) -> String {
        "(CASE \(expression) WHEN 'critical' THEN 2 WHEN 'warning' THEN 1 ELSE 0 END)"
    }
}
