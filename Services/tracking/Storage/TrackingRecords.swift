/// A vehicle as the API shows it: registration, latest state and connectivity.
struct VehicleRecord: Sendable, Codable, Equatable {
    struct Latest: Sendable, Codable, Equatable {
        var seq: Int64
        var deviceTime: String
        var deviceTimeMs: Int64
        var receivedAt: String
        var lat: Double
        var lon: Double
        var speedMps: Double
        var headingDeg: Double
        var odometerM: Double
        var batteryPct: Double?
        var fuelPct: Double?
        var status: String
        var moving: Bool
        var overspeed: Bool
        var geofences: [String]

        enum CodingKeys: String, CodingKey {
            case seq, lat, lon, status, moving, overspeed, geofences
            case deviceTime = "device_time"
            case deviceTimeMs = "device_time_ms"
            case receivedAt = "received_at"
            case speedMps = "speed_mps"
            case headingDeg = "heading_deg"
            case odometerM = "odometer_m"
            case batteryPct = "battery_pct"
            case fuelPct = "fuel_pct"
        }
    }

    var id: String
    var tags: [String]
    var speedLimitKmh: Double?
    var autoRegistered: Bool
    var registeredAt: String
    /// `online`, `offline` or `unknown` (no state message seen yet).
    var connectivity: String
    var lastSeen: String?
    var committedSeq: Int64?
    var latest: Latest?

    enum CodingKeys: String, CodingKey {
        case id, tags, connectivity, latest
        case speedLimitKmh = "speed_limit_kmh"
        case autoRegistered = "auto_registered"
        case registeredAt = "registered_at"
        case lastSeen = "last_seen"
        case committedSeq = "committed_seq"
    }
}

/// One stored position of a vehicle.
struct PositionSample: Sendable, Equatable {
    var seq: Int64
    var deviceTimeMillis: Int64
    var latitude: Double
    var longitude: Double
    var speedMetersPerSecond: Double
    var headingDegrees: Double
    var odometerMeters: Double
    var status: String
}

/// `GET /v1/fleet/summary`.
struct FleetSummary: Sendable, Codable, Equatable {
    var vehicles: Int
    var online: Int
    var offline: Int
    var unknownConnectivity: Int
    var byStatus: [String: Int]
    var moving: Int
    var overspeed: Int
    /// Age of the oldest latest position among online vehicles, in seconds (fleet freshness).
    var stalestOnlineSeconds: Double?
    var generatedAt: String

    enum CodingKeys: String, CodingKey {
        case vehicles, online, offline, moving, overspeed
        case unknownConnectivity = "unknown_connectivity"
        case byStatus = "by_status"
        case stalestOnlineSeconds = "stalest_online_seconds"
        case generatedAt = "generated_at"
    }
}

/// A rejected message as `GET /v1/dead-letters` shows it.
struct DeadLetterRecord: Sendable, Codable, Equatable {
    var id: Int64
    var receivedAt: String
    var source: String
    var topic: String?
    var vehicleId: String?
    var reason: String
    var detail: String
    /// The payload, base64.
    var payload: String

    enum CodingKeys: String, CodingKey {
        case id, source, topic, reason, detail, payload
        case receivedAt = "received_at"
        case vehicleId = "vehicle_id"
    }
}
