import Foundation

/// An API token as listed (never with its secret).
struct TokenInfo: Sendable, Codable, Equatable {
    var id: String
    var name: String
    var scopes: [Scope]
    var createdAt: Date
    var createdBy: String?
    var revokedAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, name, scopes
        case createdAt = "created_at"
        case createdBy = "created_by"
        case revokedAt = "revoked_at"
    }
}
