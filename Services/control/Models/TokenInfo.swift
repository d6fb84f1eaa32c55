import FleetService
import Foundation

/// What a new token is: its name, scopes, and optionally the one vehicle it speaks for and its own rate limit.
struct TokenSpec: Sendable, Equatable {
    var name: String
    var scopes: [Scope]
    var vehicleID: String?
    var rateLimit: RateLimit?
}

/// An API token as listed (never with its secret).
struct TokenInfo: Sendable, Codable, Equatable {
    var id: String
    var name: String
    var scopes: [Scope]
    var vehicleID: String?
    var rateLimit: RateLimit?
    var createdAt: Date
    var createdBy: String?
    var revokedAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, name, scopes
        case vehicleID = "vehicle_id"
        case rateLimit = "rate_limit"
        case createdAt = "created_at"
        case createdBy = "created_by"
        case revokedAt = "revoked_at"
    }
}
