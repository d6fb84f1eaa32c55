import Foundation

/// A command as stored and as the API returns it (`GET /v1/commands/{id}`).
struct CommandRecord: Sendable, Codable, Equatable {
    /// One step of the lifecycle.
    struct Transition: Sendable, Codable, Equatable {
        var status: CommandStatus
        var at: Date
        var reason: String?
    }

    var id: String
    var vehicleID: String
    var action: String
    var speedLimitMetersPerSecond: Double?
    /// The stops of a `follow_route` command.
    var route: RouteBody?
    var reason: String?
    var status: CommandStatus
    var statusReason: String?
    var createdAt: Date
    var updatedAt: Date
    var expiresAt: Date
    var attempts: Int
    var batchID: String?
    var createdBy: String
    var transitions: [Transition]

    enum CodingKeys: String, CodingKey {
        case id
        case vehicleID = "vehicle_id"
        case action
        case speedLimitMetersPerSecond = "speed_limit_mps"
        case route
        case reason
        case status
        case statusReason = "status_reason"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case expiresAt = "expires_at"
        case attempts
        case batchID = "batch_id"
        case createdBy = "created_by"
        case transitions
    }
}
