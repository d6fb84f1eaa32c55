import Foundation
import Hummingbird

/// An alert as the API and webhook payloads show it.
struct AlertResource: ResponseCodable, Sendable, Equatable {
    var id: String
    var ruleID: String
    var dedupKey: String
    var status: String
    var severity: String
    var vehicleID: String?
    var eventType: String
    var summary: String
    var attributes: [String: String]
    var occurrences: Int
    var suppressed: Int
    var firedAt: String
    var updatedAt: String
    var acknowledgedAt: String?
    var acknowledgedBy: String?
    var resolvedAt: String?
    var resolvedBy: String?
    var escalatedAt: String?

    enum CodingKeys: String, CodingKey {
        case id, status, severity, summary, attributes, occurrences, suppressed
        case ruleID = "rule_id"
        case dedupKey = "dedup_key"
        case vehicleID = "vehicle_id"
        case eventType = "event_type"
        case firedAt = "fired_at"
        case updatedAt = "updated_at"
        case acknowledgedAt = "acknowledged_at"
        case acknowledgedBy = "acknowledged_by"
        case resolvedAt = "resolved_at"
        case resolvedBy = "resolved_by"
        case escalatedAt = "escalated_at"
    }
}

/// A page of alerts.
struct AlertList: ResponseCodable, Sendable {
    var alerts: [AlertResource]
}
