import FleetCore
import Logging
import PostgresNIO

/// Writes webhook messages into the `deliveries` outbox, inside the caller's transaction.
enum Outbox {
    /// One message (about one alert, or one report), for every webhook that wants it.
    struct Message: Sendable {
        var payload: WebhookPayload
        /// The alert's severity (webhooks filter on it); `nil` for messages that have none (`report.ready`), which
        /// every webhook taking the type gets whatever its `min_severity`.
        var severity: String?
        var alertID: String?
    }

    /// Inserts one pending delivery per enabled webhook whose filter accepts `type` at `severity`;
    /// returns how many were written.
    @discardableResult
    static func enqueue(
        _ payload: WebhookPayload, severity: String, alertID: String?, schema: String, on connection: PostgresConnection,
        logger: Logger
    ) async throws -> Int {
        let message = Message(payload: payload, severity: severity, alertID: alertID)
        return try await enqueue([message], schema: schema, on: connection, logger: logger)
    }

    /// Inserts the deliveries of every message in one statement, in message order (`created_at` increases along the
    /// list, so the dispatcher sends them oldest first); returns how many were written. A message without severity is
    /// bound as `''` (PostgresNIO binds no optional array elements) and passes every webhook's `min_severity`.
    @discardableResult
    static func enqueue(_ messages: [Message], schema: String, on connection: PostgresConnection, logger: Logger) async throws -> Int {
        guard !messages.isEmpty else { return 0 }
        var alertIDs: [String] = []
        var types: [String] = []
        var bodies: [String] = []
        var severities: [String] = []
        for message in messages {
            alertIDs.append(message.alertID ?? "")
            types.append(message.payload.type)
            bodies.append(try message.payload.encoded())
            severities.append(message.severity ?? "")
        }
        let rows = try await connection.query(
            """
            INSERT INTO \(unescaped: schema).deliveries (id, webhook_id, alert_id, event_type, payload, status, created_at)
            SELECT 'msg_' || replace(gen_random_uuid()::text, '-', ''), w.id, NULLIF(m.alert_id, ''), m.type, m.body, 'pending',
                   clock_timestamp()
            FROM unnest(\(alertIDs)::text[], \(types)::text[], \(bodies)::text[], \(severities)::text[])
                WITH ORDINALITY AS m(alert_id, type, body, severity, n)
            JOIN \(unescaped: schema).webhooks w
              ON w.enabled
             AND (cardinality(w.event_types) = 0 OR m.type = ANY(w.event_types))
             AND (m.severity = '' OR \(unescaped: severityRank("w.min_severity")) <= \(unescaped: severityRank("m.severity")))
            ORDER BY m.n
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
