import Foundation

/// Fields of a webhook create or update request (validated by the controller).
struct WebhookChanges: Sendable {
    var url: String?
    var description: String?
    var eventTypes: [String]?
    var minSeverity: String?
    var headers: [String: String]?
    var enabled: Bool?
}

/// Outbox statistics for the metrics.
struct OutboxStats: Sendable {
    var pending: Int
    var dead: Int
    var oldestPendingAge: Double
}

/// Webhook subscriptions and the delivery outbox.
protocol WebhookRepository: Sendable {
    func create(_ changes: WebhookChanges, secret: String) async throws -> WebhookResource
    func list() async throws -> [WebhookResource]
    func webhook(id: String) async throws -> WebhookResource?
    func update(id: String, _ changes: WebhookChanges) async throws -> WebhookResource?
    func delete(id: String) async throws -> Bool
    func rotateSecret(id: String, secret: String) async throws -> WebhookResource?
    /// Queues a `webhook.test` message to this webhook only; `nil` if it does not exist.
    func enqueuePing(id: String) async throws -> DeliveryResource?
    func deliveries(webhookID: String, status: String?, limit: Int) async throws -> [DeliveryResource]
    func delivery(webhookID: String, id: String) async throws -> DeliveryResource?
    /// Puts dead (or delivered) deliveries back to pending; `ids` nil replays every dead letter of the webhook.
    func replay(webhookID: String, ids: [String]?) async throws -> Int

    // MARK: Dispatcher
    /// Leases up to `limit` due deliveries (pending and due, or whose lease expired) with `FOR UPDATE SKIP LOCKED`,
    /// oldest message first, skipping the webhooks in `excludingWebhooks` (open circuits) without reading their backlog.
    func claim(limit: Int, excludingWebhooks: [String], lease: Duration) async throws -> [ClaimedDelivery]
    /// Records how attempts ended, all in one statement: delivered; failed (pending again at its retry time); dead;
    /// released without an attempt (pending again, the claim's attempt not counted).
    func record(_ outcomes: [DeliveryOutcome]) async throws
    /// Makes every pending delivery of a webhook due now (its endpoint recovered, so backoffs earned while it was down
    /// no longer apply); returns how many.
    func expedite(webhookID: String) async throws -> Int
    func stats() async throws -> OutboxStats

    // MARK: Retention
    /// Deletes up to `limit` deliveries in `status` whose last change (last attempt, else creation) is older than
    /// `age`, skipping rows another transaction holds (a replay under way); returns how many it deleted.
    func purgeEnded(_ status: DeliveryRetention.Status, olderThan age: Duration, limit: Int) async throws -> Int
}
