import Foundation

/// A vehicle as the control plane knows it: reported state, tags and the desired state it was sent.
struct VehicleRecord: Sendable, Codable, Equatable {
    /// The desired state last decided for the vehicle.
    struct Desired: Sendable, Codable, Equatable {
        var revision: Int64
        var paused: Bool
        var speedLimitMetersPerSecond: Double?
        var reason: String?
        var updatedAt: Date
        var published: Bool

        enum CodingKeys: String, CodingKey {
            case revision, paused, reason, published
            case speedLimitMetersPerSecond = "speed_limit_mps"
            case updatedAt = "updated_at"
        }
    }

    /// The last telemetry position, when positions are tracked.
    struct LastPosition: Sendable, Codable, Equatable {
        var lat: Double
        var lon: Double
    }

    var id: String
    var connectivity: String
    var lastSeen: Date
    var status: String?
    var tags: [String]
    var desired: Desired?
    var position: LastPosition?

    enum CodingKeys: String, CodingKey {
        case id, connectivity, status, tags, desired, position
        case lastSeen = "last_seen"
    }
}
