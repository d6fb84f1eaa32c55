/// One vehicle's position as the live stream sends it.
struct LivePosition: Sendable, Codable, Equatable {
    var vehicleId: String
    var seq: Int64
    var deviceTimeMs: Int64
    var lat: Double
    var lon: Double
    var speedMps: Double
    var headingDeg: Double
    var status: String

    enum CodingKeys: String, CodingKey {
        case seq, lat, lon, status
        case vehicleId = "vehicle_id"
        case deviceTimeMs = "device_time_ms"
        case speedMps = "speed_mps"
        case headingDeg = "heading_deg"
    }
}

/// A live-stream frame: `{"type":"snapshot"|"positions","positions":[…]}`.
struct LiveFrame: Sendable, Codable {
    var type: String
    var positions: [LivePosition]
}
