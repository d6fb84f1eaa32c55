import Hummingbird

extension VehicleRecord: ResponseEncodable {}
extension FleetSummary: ResponseEncodable {}
extension TripSegmenter.Segmentation: ResponseEncodable {}

/// `GET /v1/vehicles`.
struct VehicleList: ResponseCodable {
    var vehicles: [VehicleRecord]
    /// Pass as `after` to get the next page; absent on the last page.
    var nextAfter: String?

    enum CodingKeys: String, CodingKey {
        case vehicles
        case nextAfter = "next_after"
    }
}

/// `GET /v1/dead-letters`.
struct DeadLetterList: ResponseCodable {
    var deadLetters: [DeadLetterRecord]

    enum CodingKeys: String, CodingKey {
        case deadLetters = "dead_letters"
    }
}

/// `POST /v1/telemetry`.
struct IngestResponse: ResponseCodable {
    struct Rejected: Codable {
        var index: Int
        var reason: String
        var detail: String
    }
    var received: Int
    var stored: Int
    var duplicates: Int
    var rejected: [Rejected]
}
