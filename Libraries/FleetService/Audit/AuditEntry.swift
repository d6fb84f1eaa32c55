import Foundation

/// One audit-log row: who (token), what (action, target, details), when, from where, and the outcome.
public struct AuditEntry: Sendable, Codable, Equatable {
    public var id: Int64?
    public var at: Date?
    public var actorTokenID: String?
    public var actorName: String?
    public var action: String
    public var target: String?
    public var outcome: String
    public var details: String?
    public var remoteAddress: String?

    public init(
        id: Int64? = nil, at: Date? = nil, actorTokenID: String?, actorName: String?, action: String, target: String?, outcome: String,
        details: String?, remoteAddress: String?
    ) {
        self.id = id
        self.at = at
        self.actorTokenID = actorTokenID
        self.actorName = actorName
        self.action = action
        self.target = target
        self.outcome = outcome
        self.details = details
        self.remoteAddress = remoteAddress
    }

    enum CodingKeys: String, CodingKey {
        case id, at, action, target, outcome, details
        case actorTokenID = "actor_token_id"
        case actorName = "actor_name"
        case remoteAddress = "remote_address"
    }
}
