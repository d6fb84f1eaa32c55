import FleetCore

/// A message that was not stored, with everything an operator needs to see why.
struct Rejection: Sendable {
    var reason: RejectionReason
    var detail: String
    var source: IngestSource
    var topic: String?
    var vehicleID: String?
    var payload: [UInt8]
    var receivedAtMillis: Int64
}

/// Where a message came in.
enum IngestSource: String, Sendable {
    case mqtt
    case http
}
