import Foundation

/// One audit-log row: who (token), what (action, target, details), when, from where, and the outcome.
struct AuditEntry: Sendable, Codable, Equatable {
    var id: Int64?
    var at: Date?
    var actorTokenID: String?
    var actorName: String?
    var action: String
    var target: String?
    var outcome: String
    var details: String?
    var remoteAddress: String?

    enum CodingKeys: String, CodingKey {
        case id, at, action, target, outcome, details
        case actorTokenID = "actor_token_id"
        case actorName = "actor_name"
        case remoteAddress = "remote_address"
    }
}
