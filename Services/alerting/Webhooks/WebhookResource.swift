import Hummingbird

/// A webhook subscription as the API shows it. `secret` is only present when created or rotated.
struct WebhookResource: ResponseCodable, Sendable, Equatable {
    var id: String
    var url: String
    var description: String
    var eventTypes: [String]
    var minSeverity: String
    var headers: [String: String]
    var enabled: Bool
    var createdAt: String
    var updatedAt: String
    var secret: String?

    enum CodingKeys: String, CodingKey {
        case id, url, description, headers, enabled, secret
        case eventTypes = "event_types"
        case minSeverity = "min_severity"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}

/// `GET /v1/webhooks`.
struct WebhookList: ResponseCodable, Sendable {
    var webhooks: [WebhookResource]
}
