import Foundation

/// A delivery leased by this dispatcher, with everything needed to send it.
struct ClaimedDelivery: Sendable {
    var id: String
    var webhookID: String
    var url: String
    var headers: [String: String]
    var secret: String
    var payload: String
    /// Attempts including this one.
    var attempts: Int
    var createdAt: Date
    var eventType: String
}
