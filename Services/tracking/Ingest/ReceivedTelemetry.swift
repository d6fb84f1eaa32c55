import FleetCore

/// A validated telemetry message as received, before it is stored (MQTT and HTTP alike).
///
/// The payload and topic are kept for the dead-letter record, should the message be rejected later
/// (unknown vehicle under the `reject` policy).
struct ReceivedTelemetry: Sendable {
    var telemetry: Telemetry
    var receivedMillis: Int64
    var payload: [UInt8]
    var topic: String?
}
