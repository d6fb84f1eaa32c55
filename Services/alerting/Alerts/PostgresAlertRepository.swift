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

    func apply(_ events: [FleetEvent], rules: [AlertRule]) async throws -> EventOutcome {
        // Report announcements never reach the rules (they are not alerts); they become report.ready messages.
        let reports = events.filter { $0.type == .reportReady }
        let alerting = reports.isEmpty ? events : events.filter { $0.type != .reportReady }
        let everything = EventBatchPlan(events: alerting, rules: rules)
        // Events no rule cares about cost nothing, repeated or not.
        guard !everything.isEmpty || !reports.isEmpty else { return EventOutcome() }
        return try await client.withTransaction(logger: logger) { connection in
            // The events that change something here; only their ids are recorded.
            let considered = everything.isEmpty ? reports : events
            let fresh = try await recordSeen(considered, on: connection)
            var outcome = EventOutcome()
            outcome.duplicates = considered.count - fresh.count
            // New ids, each once: an event republished so quickly that both copies are in this batch counts as a duplicate.
            var taken = Set<String>()
            let applied = considered.filter { fresh.contains($0.id.rawValue) && taken.insert($0.id.rawValue).inserted }
            let freshReports = applied.filter { $0.type == .reportReady }
            if !freshReports.isEmpty { outcome.add(try await announce(freshReports, on: connection)) }
            let plan = applied.count == considered.count
                ? everything : EventBatchPlan(events: applied.filter { $0.type != .reportReady }, rules: rules)
            guard !plan.isEmpty else { return outcome }
            try await lock(plan.keys, on: connection)
            for round in plan.rounds {
                let clearing = round.filter { $0.kind == .clear }
                let firing = round.filter { $0.kind == .fire }
                // A round has one operation per key, so its clears and fires touch different alerts.
                if !clearing.isEmpty { outcome.add(try await clear(clearing, on: connection)) }
                if !firing.isEmpty { outcome.add(try await fire(firing, on: connection)) }
            }
            return outcome
        }
    }

    /// Records the ids of `events`; returns those not recorded before (the rest are repeats of applied events).
    private func recordSeen(_ events: [FleetEvent], on connection: PostgresConnection) async throws -> Set<String> {
        let ids = events.map(\.id.rawValue)
        let rows = try await connection.query(
            """
            INSERT INTO \(unescaped: schema).seen_events (event_id)
            SELECT DISTINCT i FROM unnest(\(ids)::text[]) AS t(i) ORDER BY i
            ON CONFLICT (event_id) DO NOTHING
            RETURNING event_id
            """, logger: logger)
        var fresh = Set<String>()
        for try await id in rows.decode(String.self) { fresh.insert(id) }
        return fresh
    }

    func pruneSeenEvents(olderThanSeconds seconds: Int) async throws -> Int {
        let rows = try await client.query(
            """
            WITH gone AS (
              DELETE FROM \(unescaped: schema).seen_events
              WHERE event_id IN (
                SELECT event_id FROM \(unescaped: schema).seen_events
                WHERE seen_at < now() - make_interval(secs => \(seconds)) LIMIT 10000)
              RETURNING 1
            )
            SELECT count(*)::int8 FROM gone
            """, logger: logger)
        for try await count in rows.decode(Int64.self) { return Int(count) }
        return 0
    }

    /// Takes a transaction-scoped advisory lock per dedup key, all of them before the batch touches an alert and in
    /// one global order (by lock id), so two batches sharing keys wait for each other instead of deadlocking on row
    /// locks taken in different orders. The schema is part of the lock id: services on other schemas do not contend.
    private func lock(_ keys: Set<String>, on connection: PostgresConnection) async throws {
        let names = keys.map { "\(schema):\($0)" }
        let rows = try await connection.query(
            """
            SELECT pg_advisory_xact_lock(h)
            FROM (SELECT DISTINCT hashtextextended(k, 0) AS h FROM unnest(\(names)::text[]) AS t(k)) AS s
            ORDER BY h
            """, logger: logger)
        for try await _ in rows {}
    }

    /// Resolves the open alert of every clearing operation's key (one statement; the keys are distinct) and queues an
    /// `alert.resolved` message for each (one statement).
    private func clear(_ operations: [EventBatchPlan.Operation], on connection: PostgresConnection) async throws -> EventOutcome {
        let keys = operations.map(\.key)
        let resolvedBy = operations.map { "auto:" + $0.event.type.rawValue }
        let rows = try await connection.query(
            """
            UPDATE \(unescaped: schema).alerts AS a
            SET status = 'resolved', resolved_at = now(), resolved_by = v.clear_by, updated_at = now()
            FROM unnest(\(keys)::text[], \(resolvedBy)::text[]) WITH ORDINALITY AS v(clear_key, clear_by, clear_n)
            WHERE a.dedup_key = v.clear_key AND a.status <> 'resolved'
            RETURNING \(unescaped: Self.columns), v.clear_n
            """, logger: logger)
        var messages: [Outbox.Message] = []
        for try await row in rows {
            let alert = try Self.decode(row)
            let index = try row.makeRandomAccess()["clear_n"].decode(Int.self) - 1
            messages.append(
                Outbox.Message(
                    payload: .alert("alert.resolved", alert: alert, event: operations[index].event), severity: alert.severity,
                    alertID: alert.id))
        }
        var outcome = EventOutcome()
        outcome.resolved = messages.count
        outcome.deliveries = try await Outbox.enqueue(messages, schema: schema, on: connection, logger: logger)
        return outcome
    }

    /// Fires each operation's rule for its event in one statement (the keys are distinct): per operation it counts a
    /// repeat on the open alert with the same key (dedup), or a suppression on the last alert inside the throttle
    /// window, or inserts a new alert together with its `alert.firing` outbox rows.
    private func fire(_ operations: [EventBatchPlan.Operation], on connection: PostgresConnection) async throws -> EventOutcome {
        var ids: [String] = []
        var ruleIDs: [String] = []
        var keys: [String] = []
        var severities: [String] = []
        var vehicles: [String] = []
        var types: [String] = []
        var summaries: [String] = []
        var attributes: [String] = []
        var payloads: [String] = []
        var firedAt: [Date] = []
        var throttles: [Double] = []
        var escalateAfter: [Double] = []
        var escalateTo: [String] = []
        let encoder = JSONEncoder()
        for operation in operations {
            let (rule, event) = (operation.rule, operation.event)
            let id = MessageID.random().rawValue
            // Millisecond precision, so the payload shows exactly what is stored.
            let now = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 * 1000).rounded(.down) / 1000)
            let severity = (rule.severity ?? event.severity).rawValue
            let alert = AlertResource(
                id: id, ruleID: rule.id, dedupKey: operation.key, status: "firing", severity: severity,
                vehicleID: event.vehicleID?.rawValue, eventType: event.type.rawValue, summary: rule.summary(for: event),
                attributes: event.attributes, occurrences: 1, suppressed: 0, firedAt: Timestamp.string(now),
                updatedAt: Timestamp.string(now), acknowledgedAt: nil, acknowledgedBy: nil, resolvedAt: nil, resolvedBy: nil,
                escalatedAt: nil)
            ids.append(id)
            ruleIDs.append(rule.id)
            keys.append(operation.key)
            severities.append(severity)
            vehicles.append(event.vehicleID?.rawValue ?? "")
            types.append(event.type.rawValue)
            summaries.append(alert.summary)
            attributes.append(String(decoding: try encoder.encode(event.attributes), as: UTF8.self))
            payloads.append(try WebhookPayload.alert("alert.firing", alert: alert, event: event).encoded())
            firedAt.append(now)
            throttles.append(Double(rule.throttleSeconds))
            escalateAfter.append(rule.escalateAfterSeconds.map(Double.init) ?? -1)
            escalateTo.append(rule.escalateTo.rawValue)
        }
        // `input` is referenced by every part, so PostgreSQL evaluates it once. Sentinels stand for NULL in the arrays
        // (PostgresNIO binds no optional elements): vehicle '' and escalate_after -1.
        let rows = try await connection.query(
            """
            WITH input AS (
                SELECT * FROM unnest(
                    \(ids)::text[], \(ruleIDs)::text[], \(keys)::text[], \(severities)::text[], \(vehicles)::text[],
                    \(types)::text[], \(summaries)::text[], \(attributes)::text[], \(payloads)::text[], \(firedAt)::timestamptz[],
                    \(throttles)::float8[], \(escalateAfter)::float8[], \(escalateTo)::text[])
                    WITH ORDINALITY AS v(alert_id, rule_id, dedup_key, severity, vehicle_id, event_type, summary, attributes, payload,
                                         fired_at, throttle, escalate_after, escalate_to, n)
            ), open AS (
                UPDATE \(unescaped: schema).alerts AS a SET occurrences = a.occurrences + 1, updated_at = now()
                FROM input AS v
                WHERE a.dedup_key = v.dedup_key AND a.status <> 'resolved'
                RETURNING v.n
            ), recent AS (
                UPDATE \(unescaped: schema).alerts AS a SET suppressed = a.suppressed + 1
                FROM input AS v
                WHERE v.throttle > 0 AND v.n NOT IN (SELECT o.n FROM open AS o) AND a.id = (
                    SELECT r.id FROM \(unescaped: schema).alerts AS r
                    WHERE r.dedup_key = v.dedup_key AND r.fired_at > now() - make_interval(secs => v.throttle)
                    ORDER BY r.fired_at DESC LIMIT 1)
                RETURNING v.n
            ), inserted AS (
                INSERT INTO \(unescaped: schema).alerts
                    (id, rule_id, dedup_key, status, severity, vehicle_id, event_type, summary, attributes,
                     fired_at, updated_at, escalate_at, escalate_to)
                SELECT v.alert_id, v.rule_id, v.dedup_key, 'firing', v.severity, NULLIF(v.vehicle_id, ''), v.event_type, v.summary,
                       v.attributes::jsonb, v.fired_at, v.fired_at,
                       v.fired_at + make_interval(secs => NULLIF(v.escalate_after, -1)), v.escalate_to
                FROM input AS v
                WHERE v.n NOT IN (SELECT o.n FROM open AS o) AND v.n NOT IN (SELECT t.n FROM recent AS t)
                ORDER BY v.n
                ON CONFLICT (dedup_key) WHERE status <> 'resolved' DO NOTHING
                RETURNING id
            ), queued AS (
                INSERT INTO \(unescaped: schema).deliveries (id, webhook_id, alert_id, event_type, payload, status, created_at)
                SELECT 'msg_' || replace(gen_random_uuid()::text, '-', ''), w.id, v.alert_id, 'alert.firing', v.payload, 'pending',
                       clock_timestamp()
                FROM inserted AS i
                JOIN input AS v ON v.alert_id = i.id
                JOIN \(unescaped: schema).webhooks AS w
                  ON w.enabled
                 AND (cardinality(w.event_types) = 0 OR 'alert.firing' = ANY(w.event_types))
                 AND \(unescaped: Outbox.severityRank("w.min_severity")) <= \(unescaped: Outbox.severityRank("v.severity"))
                ORDER BY v.n
                RETURNING 1
            )
            SELECT (SELECT count(*) FROM recent), (SELECT count(*) FROM inserted), (SELECT count(*) FROM queued)
            """, logger: logger)
        var outcome = EventOutcome()
        for try await (recent, inserted, queued) in rows.decode((Int, Int, Int).self) {
            outcome.throttled = recent
            outcome.fired = inserted
            outcome.deliveries = queued
            // Every other operation repeated an alert: the open one found by `open`, or one that another replica opened
            // concurrently (its insert lost the race).
            outcome.deduplicated = operations.count - recent - inserted
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
            let messages = alerts.map {
                Outbox.Message(payload: .alert("alert.escalated", alert: $0, event: nil), severity: $0.severity, alertID: $0.id)
            }
            try await Outbox.enqueue(messages, schema: schema, on: connection, logger: logger)
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
            alerts.append(try decode(row))
        }
        return alerts
    }

    /// One alert from a row that starts with ``columns``.
    static func decode(_ row: PostgresRow) throws -> AlertResource {
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
        return AlertResource(
            id: id, ruleID: rule, dedupKey: key, status: status, severity: severity, vehicleID: vehicle, eventType: type,
            summary: summary,
            attributes: (try? JSONDecoder().decode([String: String].self, from: Data(attributes.utf8))) ?? [:],
            occurrences: occurrences, suppressed: suppressed, firedAt: Timestamp.string(firedAt),
            updatedAt: Timestamp.string(updatedAt), acknowledgedAt: Timestamp.optional(acknowledgedAt),
            acknowledgedBy: acknowledgedBy, resolvedAt: Timestamp.optional(resolvedAt), resolvedBy: resolvedBy,
            escalatedAt: Timestamp.optional(escalatedAt))
    }
}
