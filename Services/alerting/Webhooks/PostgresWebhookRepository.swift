import FleetCore
import Foundation
import Logging
import PostgresNIO

/// ``WebhookRepository`` over the service's PostgreSQL schema.
struct PostgresWebhookRepository: WebhookRepository {
    let client: PostgresClient
    let schema: String
    let logger: Logger

    static let webhookColumns = "id, url, description, event_types, min_severity, headers::text, enabled, created_at, updated_at"
    static let deliveryColumns = """
        id, webhook_id, alert_id, event_type, status, attempts, created_at, next_attempt_at, last_attempt_at,
        last_status_code, last_error, delivered_at
        """

    func create(_ changes: WebhookChanges, secret: String) async throws -> WebhookResource {
        let headers = try Self.json(changes.headers ?? [:])
        let rows = try await client.query(
            """
            INSERT INTO \(unescaped: schema).webhooks (id, url, description, event_types, min_severity, headers, secret, enabled)
            VALUES (\("wh_" + MessageID.random().rawValue.replacingOccurrences(of: "-", with: "")), \(changes.url ?? ""),
                    \(changes.description ?? ""), \(changes.eventTypes ?? []), \(changes.minSeverity ?? "info"), \(headers)::jsonb,
                    \(secret), \(changes.enabled ?? true))
            RETURNING \(unescaped: Self.webhookColumns)
            """, logger: logger)
        guard var webhook = try await Self.decodeWebhooks(rows).first else { throw PostgresAlertRepositoryError.noRow }
        webhook.secret = secret
        return webhook
    }

    func list() async throws -> [WebhookResource] {
        try await Self.decodeWebhooks(
            client.query("SELECT \(unescaped: Self.webhookColumns) FROM \(unescaped: schema).webhooks ORDER BY created_at, id", logger: logger))
    }

    func webhook(id: String) async throws -> WebhookResource? {
        try await Self.decodeWebhooks(
            client.query("SELECT \(unescaped: Self.webhookColumns) FROM \(unescaped: schema).webhooks WHERE id = \(id)", logger: logger)
        ).first
    }

    func update(id: String, _ changes: WebhookChanges) async throws -> WebhookResource? {
        let headers = try changes.headers.map { try Self.json($0) }
        let rows = try await client.query(
            """
            UPDATE \(unescaped: schema).webhooks SET
                url = COALESCE(\(changes.url), url),
                description = COALESCE(\(changes.description), description),
                event_types = COALESCE(\(changes.eventTypes)::text[], event_types),
                min_severity = COALESCE(\(changes.minSeverity), min_severity),
                headers = COALESCE(\(headers)::jsonb, headers),
                enabled = COALESCE(\(changes.enabled), enabled),
                updated_at = now()
            WHERE id = \(id)
            RETURNING \(unescaped: Self.webhookColumns)
            """, logger: logger)
        return try await Self.decodeWebhooks(rows).first
    }

    func delete(id: String) async throws -> Bool {
        let rows = try await client.query("DELETE FROM \(unescaped: schema).webhooks WHERE id = \(id) RETURNING id", logger: logger)
        return try await rows.collect().count == 1
    }

    func rotateSecret(id: String, secret: String) async throws -> WebhookResource? {
        let rows = try await client.query(
            """
            UPDATE \(unescaped: schema).webhooks SET secret = \(secret), updated_at = now() WHERE id = \(id)
            RETURNING \(unescaped: Self.webhookColumns)
            """, logger: logger)
        guard var webhook = try await Self.decodeWebhooks(rows).first else { return nil }
        webhook.secret = secret
        return webhook
    }

    func enqueuePing(id: String) async throws -> DeliveryResource? {
        let body = try WebhookPayload.ping(webhookID: id).encoded()
        let rows = try await client.query(
            """
            INSERT INTO \(unescaped: schema).deliveries (id, webhook_id, event_type, payload, status)
            SELECT 'msg_' || replace(gen_random_uuid()::text, '-', ''), id, 'webhook.test', \(body), 'pending'
            FROM \(unescaped: schema).webhooks WHERE id = \(id)
            RETURNING \(unescaped: Self.deliveryColumns)
            """, logger: logger)
        return try await Self.decodeDeliveries(rows).first
    }

    func deliveries(webhookID: String, status: String?, limit: Int) async throws -> [DeliveryResource] {
        try await Self.decodeDeliveries(
            client.query(
                """
                SELECT \(unescaped: Self.deliveryColumns) FROM \(unescaped: schema).deliveries
                WHERE webhook_id = \(webhookID) AND (\(status)::text IS NULL OR status = \(status))
                ORDER BY created_at DESC, id LIMIT \(limit)
                """, logger: logger))
    }

    func delivery(webhookID: String, id: String) async throws -> DeliveryResource? {
        try await Self.decodeDeliveries(
            client.query(
                """
                SELECT \(unescaped: Self.deliveryColumns) FROM \(unescaped: schema).deliveries
                WHERE webhook_id = \(webhookID) AND id = \(id)
                """, logger: logger)
        ).first
    }

    func replay(webhookID: String, ids: [String]?) async throws -> Int {
        let rows = try await client.query(
            """
            UPDATE \(unescaped: schema).deliveries
            SET status = 'pending', attempts = 0, created_at = now(), next_attempt_at = now(), lease_until = NULL
            WHERE webhook_id = \(webhookID)
              AND ((\(ids)::text[] IS NULL AND status = 'dead') OR (id = ANY(\(ids)::text[]) AND status IN ('dead', 'delivered')))
            RETURNING id
            """, logger: logger)
        return try await rows.collect().count
    }

    func claim(limit: Int, excludingWebhooks: [String], lease: Duration) async throws -> [ClaimedDelivery] {
        let leaseSeconds = RetryPolicy.seconds(lease)
        // Each claimable webhook's oldest due rows come from its own index range (deliveries_open_webhook_created), so
        // the backlog of an endpoint whose circuit is open is never read; the oldest `limit` of those are taken. That
        // is the same set as the oldest `limit` due rows overall, without scanning past excluded backlogs.
        let rows = try await client.query(
            """
            UPDATE \(unescaped: schema).deliveries d
            SET status = 'delivering', lease_until = now() + make_interval(secs => \(leaseSeconds)),
                attempts = d.attempts + 1, last_attempt_at = now()
            FROM \(unescaped: schema).webhooks w
            WHERE w.id = d.webhook_id AND d.id IN (
                SELECT c.id FROM \(unescaped: schema).webhooks cw
                CROSS JOIN LATERAL (
                    SELECT q.id, q.created_at FROM \(unescaped: schema).deliveries q
                    WHERE q.webhook_id = cw.id AND q.status IN ('pending', 'delivering')
                      AND ((q.status = 'pending' AND q.next_attempt_at <= now())
                           OR (q.status = 'delivering' AND q.lease_until < now()))
                    ORDER BY q.created_at
                    LIMIT \(limit)
                    FOR UPDATE OF q SKIP LOCKED) c
                WHERE cw.enabled AND NOT (cw.id = ANY(\(excludingWebhooks)::text[]))
                ORDER BY c.created_at
                LIMIT \(limit))
            RETURNING d.id, d.webhook_id, w.url, w.headers::text, w.secret, d.payload, d.attempts, d.created_at, d.event_type
            """, logger: logger)
        var claimed: [ClaimedDelivery] = []
        let decoder = JSONDecoder()
        for try await (id, webhookID, url, headers, secret, payload, attempts, createdAt, type) in rows.decode(
            (String, String, String, String, String, String, Int, Date, String).self)
        {
            claimed.append(
                ClaimedDelivery(
                    id: id, webhookID: webhookID, url: url,
                    headers: (try? decoder.decode([String: String].self, from: Data(headers.utf8))) ?? [:], secret: secret,
                    payload: payload, attempts: attempts, createdAt: createdAt, eventType: type))
        }
        // UPDATE … RETURNING comes back in no particular order: send the oldest first.
        claimed.sort { $0.createdAt < $1.createdAt }
        return claimed
    }

    func record(_ outcomes: [DeliveryOutcome]) async throws {
        guard !outcomes.isEmpty else { return }
        // PostgresNIO binds no optional array elements: code 0, error '' and the epoch stand for "none".
        var ids: [String] = []
        var kinds: [String] = []
        var codes: [Int] = []
        var errors: [String] = []
        var dates: [Date] = []
        let unused = Date(timeIntervalSince1970: 0)
        for outcome in outcomes {
            ids.append(outcome.id)
            switch outcome.result {
            case .delivered(let statusCode):
                kinds.append("delivered")
                codes.append(statusCode)
                errors.append("")
                dates.append(unused)
            case .failed(let statusCode, let error, let retryAt):
                kinds.append("failed")
                codes.append(statusCode ?? 0)
                errors.append(String(error.prefix(1_000)))
                dates.append(retryAt)
            case .dead(let statusCode, let error):
                kinds.append("dead")
                codes.append(statusCode ?? 0)
                errors.append(String(error.prefix(1_000)))
                dates.append(unused)
            case .released(let retryAt):
                kinds.append("released")
                codes.append(0)
                errors.append("")
                dates.append(retryAt)
            }
        }
        try await client.query(
            """
            UPDATE \(unescaped: schema).deliveries d
            SET status = CASE v.kind WHEN 'delivered' THEN 'delivered' WHEN 'dead' THEN 'dead' ELSE 'pending' END,
                attempts = CASE v.kind WHEN 'released' THEN greatest(d.attempts - 1, 0) ELSE d.attempts END,
                next_attempt_at = CASE WHEN v.kind IN ('failed', 'released') THEN v.retry_at ELSE d.next_attempt_at END,
                delivered_at = CASE v.kind WHEN 'delivered' THEN now() ELSE d.delivered_at END,
                last_status_code = CASE v.kind WHEN 'released' THEN d.last_status_code ELSE NULLIF(v.code, 0) END,
                last_error = CASE v.kind WHEN 'released' THEN d.last_error ELSE NULLIF(v.error, '') END,
                lease_until = NULL
            FROM unnest(\(ids)::text[], \(kinds)::text[], \(codes)::int[], \(errors)::text[], \(dates)::timestamptz[])
                AS v(id, kind, code, error, retry_at)
            WHERE d.id = v.id
            """, logger: logger)
    }

    func expedite(webhookID: String) async throws -> Int {
        let rows = try await client.query(
            """
            UPDATE \(unescaped: schema).deliveries SET next_attempt_at = now()
            WHERE webhook_id = \(webhookID) AND status = 'pending' AND next_attempt_at > now()
            RETURNING 1
            """, logger: logger)
        return try await rows.collect().count
    }

    func stats() async throws -> OutboxStats {
        // Index-backed lookups (partial indexes on open and dead rows): delivered rows, which are kept for their
        // retention and are most of the table, are never scanned; the open backlog is read once for its size and its
        // oldest row.
        let rows = try await client.query(
            """
            SELECT o.n, (SELECT count(*) FROM \(unescaped: schema).deliveries WHERE status = 'dead'),
                   COALESCE(EXTRACT(EPOCH FROM now() - o.oldest), 0)::float8
            FROM (SELECT count(*) AS n, min(created_at) AS oldest FROM \(unescaped: schema).deliveries
                  WHERE status IN ('pending', 'delivering')) AS o
            """, logger: logger)
        for try await (pending, dead, age) in rows.decode((Int, Int, Double).self) {
            return OutboxStats(pending: pending, dead: dead, oldestPendingAge: age)
        }
        return OutboxStats(pending: 0, dead: 0, oldestPendingAge: 0)
    }

    func purgeEnded(_ status: DeliveryRetention.Status, olderThan age: Duration, limit: Int) async throws -> Int {
        // The status is written as a literal (it comes from a closed enum), not bound, so the planner can tell that
        // the partial index deliveries_ended_last_change (0006) applies; the ORDER BY makes it read the oldest rows
        // from that index (it has no statistics on the age of a partial index's rows and would otherwise scan the
        // table). Rows are locked first and their status checked again then: a replay that made one pending keeps it.
        let rows = try await client.query(
            """
            WITH old AS MATERIALIZED (
                SELECT id FROM \(unescaped: schema).deliveries
                WHERE status = '\(unescaped: status.rawValue)'
                  AND COALESCE(last_attempt_at, created_at) < now() - make_interval(secs => \(RetryPolicy.seconds(age)))
                ORDER BY COALESCE(last_attempt_at, created_at)
                LIMIT \(limit)
                FOR UPDATE SKIP LOCKED
            ), purged AS (
                -- ARRAY(...) runs the locking query first, as one init plan, and lets the delete use the primary key.
                DELETE FROM \(unescaped: schema).deliveries d WHERE d.id = ANY(ARRAY(SELECT id FROM old))
                RETURNING 1
            )
            SELECT count(*) FROM purged
            """, logger: logger)
        for try await count in rows.decode(Int.self) {
            return count
        }
        return 0
    }

    static func json(_ dictionary: [String: String]) throws -> String {
        String(decoding: try JSONEncoder().encode(dictionary), as: UTF8.self)
    }

    static func decodeWebhooks(_ rows: PostgresRowSequence) async throws -> [WebhookResource] {
        var result: [WebhookResource] = []
        for try await (id, url, description, types, severity, headers, enabled, created, updated) in rows.decode(
            (String, String, String, [String], String, String, Bool, Date, Date).self)
        {
            result.append(
                WebhookResource(
                    id: id, url: url, description: description, eventTypes: types, minSeverity: severity,
                    headers: (try? JSONDecoder().decode([String: String].self, from: Data(headers.utf8))) ?? [:], enabled: enabled,
                    createdAt: Timestamp.string(created), updatedAt: Timestamp.string(updated), secret: nil))
        }
        return result
    }

    static func decodeDeliveries(_ rows: PostgresRowSequence) async throws -> [DeliveryResource] {
        var result: [DeliveryResource] = []
        for try await row in rows {
            let c = row.makeRandomAccess()
            let status = try c[4].decode(String.self)
            result.append(
                DeliveryResource(
                    id: try c[0].decode(String.self), webhookID: try c[1].decode(String.self), alertID: try c[2].decode(String?.self),
                    eventType: try c[3].decode(String.self), status: status, attempts: try c[5].decode(Int.self),
                    createdAt: Timestamp.string(try c[6].decode(Date.self)),
                    nextAttemptAt: status == "pending" ? Timestamp.string(try c[7].decode(Date.self)) : nil,
                    lastAttemptAt: Timestamp.optional(try c[8].decode(Date?.self)), lastStatusCode: try c[9].decode(Int?.self),
                    lastError: try c[10].decode(String?.self), deliveredAt: Timestamp.optional(try c[11].decode(Date?.self))))
        }
        return result
    }
}

/// A statement that must return a row returned none.
enum PostgresAlertRepositoryError: Error {
    case noRow
}
