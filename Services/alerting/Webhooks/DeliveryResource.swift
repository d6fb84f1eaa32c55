import Hummingbird

/// One outbox message to one webhook, as `GET /v1/webhooks/{id}/deliveries` shows it.
struct DeliveryResource: ResponseCodable, Sendable, Equatable {
    var id: String
    var webhookID: String
    var alertID: String?
    var eventType: String
    /// `pending`, `delivering`, `delivered` or `dead`.
    var status: String
    var attempts: Int
    var createdAt: String
    var nextAttemptAt: String?
    var lastAttemptAt: String?
    var lastStatusCode: Int?
    var lastError: String?
    var deliveredAt: String?

    enum CodingKeys: String, CodingKey {
        case id, status, attempts
        case webhookID = "webhook_id"
        case alertID = "alert_id"
        case eventType = "event_type"
        case createdAt = "created_at"
        case nextAttemptAt = "next_attempt_at"
        case lastAttemptAt = "last_attempt_at"
        case lastStatusCode = "last_status_code"
        case lastError = "last_error"
        case deliveredAt = "delivered_at"
    }
}

/// A page of deliveries.
struct DeliveryList: ResponseCodable, Sendable {
    var deliveries: [DeliveryResource]
}
