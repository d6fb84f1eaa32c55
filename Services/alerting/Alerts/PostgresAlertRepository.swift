import FleetCore
import Foundation
import Logging
import PostgresNIO

/// ``AlertRepository`` over the service's PostgreSQL schema.
struct PostgresAlertRepository: AlertRepository {
    let client: PostgresClient
    let schema: String
    let logger: Logger

    static let columns = """
        id, rule_id, dedup_key, status, severity, vehicle_id, event_type, summary, attributes::text, occurrences, suppressed,
        fired_at, updated_at, acknowledged_at, acknowledged_by, resolved_at, resolved_by, escalated_at
        """

    func apply(_ event: FleetEvent, rules: [AlertRule]) async throws -> EventOutcome {
        var outcome = EventOutcome()
        let matching = rules.filter { $0.matches(event) }
        let clearing = rules.filter { $0.clears(event) }
        guard !matching.isEmpty || !clearing.isEmpty else { return outcome }
        if !clearing.isEmpty {
            try await client.withTransaction(logger: logger) { connection in
                for rule in clearing {
                    let key = rule.dedupKey(for: event)
                    let rows = try await connection.query(
                        """
                        UPDATE \(unescaped: schema).alerts
                        SET status = 'resolved', resolved_at = now(), resolved_by = \("auto:" + event.type.rawValue), updated_at = now()
                        WHERE dedup_key = \(key) AND status <> 'resolved'
                        RETURNING \(unescaped: Self.columns)
                        """, logger: logger)
                    for alert in try await Self.decode(rows) {
                        outcome.resolved += 1
                        outcome.deliveries += try await Outbox.enqueue(
                            .alert("alert.resolved", alert: alert, event: event), severity: alert.severity, alertID: alert.id,
                            schema: schema, on: connection, logger: logger)
                    }
                }
            }
        }
        for rule in matching {
            let result = try await fire(rule, event: event)
            outcome.deduplicated += result.deduplicated
            outcome.throttled += result.throttled
            outcome.fired += result.fired
            outcome.deliveries += result.deliveries
        }
        return outcome
    }

    /// Fires `rule` for `event` in one statement (atomic without an explicit transaction): counts a repeat on the open
    /// alert with the same key (dedup), or a suppression on the last alert inside the throttle window, or inserts a new
    /// alert together with its `alert.firing` outbox rows.
    private func fire(_ rule: AlertRule, event: FleetEvent) async throws -> EventOutcome {
        let key = rule.dedupKey(for: event)
        let id = MessageID.random().rawValue
        // Millisecond precision, so the payload shows exactly what is stored.
        let now = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 * 1000).rounded(.down) / 1000)
        let severity = (rule.severity ?? event.severity).rawValue
        let alert = AlertResource(
            id: id, ruleID: rule.id, dedupKey: key, status: "firing", severity: severity, vehicleID: event.vehicleID?.rawValue,
            eventType: event.type.rawValue, summary: rule.summary(for: event), attributes: event.attributes, occurrences: 1,
            suppressed: 0, firedAt: Timestamp.string(now), updatedAt: Timestamp.string(now), acknowledgedAt: nil,
            acknowledgedBy: nil, resolvedAt: nil, resolvedBy: nil, escalatedAt: nil)
        let payload = try WebhookPayload.alert("alert.firing", alert: alert, event: event).encoded()
        let attributesJSON = String(decoding: try JSONEncoder().encode(event.attributes), as: UTF8.self)
        let throttle = Double(rule.throttleSeconds)
        let escalateAfter = rule.escalateAfterSeconds.map(Double.init)
        let rows = try await client.query(
            """
            WITH open AS (
                UPDATE \(unescaped: schema).alerts SET occurrences = occurrences + 1, updated_at = now()
                WHERE dedup_key = \(key) AND status <> 'resolved' RETURNING id
            ), recent AS (
                UPDATE \(unescaped: schema).alerts SET suppressed = suppressed + 1
                WHERE \(throttle) > 0 AND NOT EXISTS (SELECT 1 FROM open) AND id = (
                    SELECT id FROM \(unescaped: schema).alerts
                    WHERE dedup_key = \(key) AND fired_at > now() - make_interval(secs => \(throttle))
                    ORDER BY fired_at DESC LIMIT 1)
                RETURNING id
            ), inserted AS (
                INSERT INTO \(unescaped: schema).alerts
                    (id, rule_id, dedup_key, status, severity, vehicle_id, event_type, summary, attributes,
                     fired_at, updated_at, escalate_at, escalate_to)
                SELECT \(id), \(rule.id), \(key), 'firing', \(severity), \(event.vehicleID?.rawValue), \(event.type.rawValue),
                       \(alert.summary), \(attributesJSON)::jsonb, \(now), \(now),
                       \(now)::timestamptz + make_interval(secs => \(escalateAfter)), \(rule.escalateTo.rawValue)
                WHERE NOT EXISTS (SELECT 1 FROM open) AND NOT EXISTS (SELECT 1 FROM recent)
                ON CONFLICT (dedup_key) WHERE status <> 'resolved' DO NOTHING
                RETURNING id
            ), queued AS (
                INSERT INTO \(unescaped: schema).deliveries (id, webhook_id, alert_id, event_type, payload, status)
                SELECT 'msg_' || replace(gen_random_uuid()::text, '-', ''), w.id, i.id, 'alert.firing', \(payload), 'pending'
                FROM inserted i CROSS JOIN \(unescaped: schema).webhooks w
                WHERE w.enabled
                  AND (cardinality(w.event_types) = 0 OR 'alert.firing' = ANY(w.event_types))
                  AND \(unescaped: Outbox.severityRank("w.min_severity"))
                      <= (CASE \(severity)::text WHEN 'critical' THEN 2 WHEN 'warning' THEN 1 ELSE 0 END)
                RETURNING 1
            )
            SELECT (SELECT count(*) FROM open), (SELECT count(*) FROM recent), (SELECT count(*) FROM inserted),
                   (SELECT count(*) FROM queued)
            """, logger: logger)
        var outcome = EventOutcome()
        for try await (open, recent, inserted, queued) in rows.decode((Int, Int, Int, Int).self) {
            outcome.deduplicated = open
            outcome.throttled = recent
            outcome.fired = inserted
            outcome.deliveries = queued
            // Another replica opened the same key concurrently: this event is a repeat of that alert.
            if open == 0 && recent == 0 && inserted == 0 { outcome.deduplicated = 1 }
        }
        return outcome
    }

    func list(_ filter: AlertFilter) async throws -> [AlertResource] {
        // Times are shown with millisecond precision, so `updated_after` compares at that precision: a client passing
        // back the last `updated_at` it saw does not get that alert again.
        let ascending = filter.updatedAfter != nil
        let rows = try await client.query(
            """
            SELECT \(unescaped: Self.columns) FROM \(unescaped: schema).alerts
            WHERE (\(filter.status?.rawValue)::text IS NULL OR status = \(filter.status?.rawValue))
              AND (\(filter.severity?.rawValue)::text IS NULL OR severity = \(filter.severity?.rawValue))
              AND (\(filter.vehicleID)::text IS NULL OR vehicle_id = \(filter.vehicleID))
              AND (\(filter.ruleID)::text IS NULL OR rule_id = \(filter.ruleID))
              AND (\(filter.updatedAfter)::timestamptz IS NULL OR date_trunc('milliseconds', updated_at) > \(filter.updatedAfter))
            ORDER BY updated_at \(unescaped: ascending ? "ASC" : "DESC"), id
            LIMIT \(filter.limit)
            """, logger: logger)
        return try await Self.decode(rows)
    }

    func alert(id: String) async throws -> AlertResource? {
        let rows = try await client.query(
            "SELECT \(unescaped: Self.columns) FROM \(unescaped: schema).alerts WHERE id = \(id)", logger: logger)
        return try await Self.decode(rows).first
    }

    func acknowledge(id: String, by actor: String?) async throws -> AlertTransition {
        try await transition(id: id, type: "alert.acknowledged") { connection in
            try await connection.query(
                """
                UPDATE \(unescaped: schema).alerts
                SET status = 'acknowledged', acknowledged_at = now(), acknowledged_by = \(actor), updated_at = now()
                WHERE id = \(id) AND status = 'firing'
                RETURNING \(unescaped: Self.columns)
                """, logger: logger)
        } unchanged: { current in
            switch current.status {
            case "acknowledged": .unchanged(current)
            default: .conflict("alert \(id) is \(current.status) and can no longer be acknowledged")
            }
        }
    }

    func resolve(id: String, by actor: String?) async throws -> AlertTransition {
        try await transition(id: id, type: "alert.resolved") { connection in
            try await connection.query(
                """
                UPDATE \(unescaped: schema).alerts
                SET status = 'resolved', resolved_at = now(), resolved_by = \(actor), updated_at = now()
                WHERE id = \(id) AND status <> 'resolved'
                RETURNING \(unescaped: Self.columns)
                """, logger: logger)
        } unchanged: { current in
            .unchanged(current)
        }
    }

    func escalateDue(limit: Int) async throws -> [AlertResource] {
        try await client.withTransaction(logger: logger) { connection in
            let rows = try await connection.query(
                """
                UPDATE \(unescaped: schema).alerts
                SET escalated_at = now(), updated_at = now(), severity = COALESCE(escalate_to, severity)
                WHERE id IN (SELECT id FROM \(unescaped: schema).alerts
                             WHERE status = 'firing' AND escalated_at IS NULL AND escalate_at <= now()
                             ORDER BY escalate_at LIMIT \(limit) FOR UPDATE SKIP LOCKED)
                RETURNING \(unescaped: Self.columns)
                """, logger: logger)
            let alerts = try await Self.decode(rows)
            for alert in alerts {
                try await Outbox.enqueue(
                    .alert("alert.escalated", alert: alert, event: nil), severity: alert.severity, alertID: alert.id,
                    schema: schema, on: connection, logger: logger)
            }
            return alerts
        }
    }

    private func transition(
        id: String, type: String, update: (PostgresConnection) async throws -> PostgresRowSequence,
        unchanged: (AlertResource) -> AlertTransition
    ) async throws -> AlertTransition {
        try await client.withTransaction(logger: logger) { connection in
            if let alert = try await Self.decode(try await update(connection)).first {
                let count = try await Outbox.enqueue(
                    .alert(type, alert: alert, event: nil), severity: alert.severity, alertID: alert.id, schema: schema,
                    on: connection, logger: logger)
                return .changed(alert, deliveries: count)
            }
            let rows = try await connection.query(
                "SELECT \(unescaped: Self.columns) FROM \(unescaped: schema).alerts WHERE id = \(id)", logger: logger)
            guard let current = try await Self.decode(rows).first else { return .notFound }
            return unchanged(current)
        }
    }

    static func decode(_ rows: PostgresRowSequence) async throws -> [AlertResource] {
        var alerts: [AlertResource] = []
        for try await row in rows {
            let (id, rule, key, status, severity, vehicle, type, summary, attributes, occurrences, suppressed) =
                try row.decode((String, String, String, String, String, String?, String, String, String, Int, Int).self)
            let columns = row.makeRandomAccess()
            let firedAt = try columns[11].decode(Date.self)
            let updatedAt = try columns[12].decode(Date.self)
            let acknowledgedAt = try columns[13].decode(Date?.self)
            let acknowledgedBy = try columns[14].decode(String?.self)
            let resolvedAt = try columns[15].decode(Date?.self)
            let resolvedBy = try columns[16].decode(String?.self)
            let escalatedAt = try columns[17].decode(Date?.self)
            alerts.append(
                AlertResource(
                    id: id, ruleID: rule, dedupKey: key, status: status, severity: severity, vehicleID: vehicle, eventType: type,
                    summary: summary,
                    attributes: (try? JSONDecoder().decode([String: String].self, from: Data(attributes.utf8))) ?? [:],
                    occurrences: occurrences, suppressed: suppressed, firedAt: Timestamp.string(firedAt),
                    updatedAt: Timestamp.string(updatedAt), acknowledgedAt: Timestamp.optional(acknowledgedAt),
                    acknowledgedBy: acknowledgedBy, resolvedAt: Timestamp.optional(resolvedAt), resolvedBy: resolvedBy,
                    escalatedAt: Timestamp.optional(escalatedAt)))
        }
        return alerts
    }
}
