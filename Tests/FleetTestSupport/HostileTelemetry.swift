import FleetCore
import Foundation

/// The hostile telemetry every reader of the raw telemetry topic must refuse the same way (tracking's ingest,
/// fleet-health): one case per rejection reason, each built from a valid sample of `vehicle`.
public enum HostileTelemetry {
    /// A topic, a payload and the reason it must be refused with.
    public struct Case: Sendable {
        public var topic: String
        public var payload: String
        public var reason: RejectionReason
    }

    /// The cases for `valid` (a sample of a vehicle whose topic is used, and another vehicle's topic for the spoof),
    /// at receive time `now`.
    public static func cases(_ valid: Telemetry, spoofedAs other: VehicleID, now: Int64) throws -> [Case] {
        let topic = VehicleChannel.telemetry.topic(for: valid.vehicleID)
        let json = String(decoding: try FleetCodec.encode(valid), as: UTF8.self)
        func replacing(_ field: String, _ value: String) -> String {
            json.replacingOccurrences(of: #""\#(field)":[^,}]*"#, with: "\"\(field)\":\(value)", options: .regularExpression)
        }
        return [
            Case(topic: topic, payload: "{not json", reason: .malformed),
            Case(topic: topic, payload: replacing("lat", "95.5"), reason: .impossiblePosition),
            Case(topic: topic, payload: replacing("speed_mps", "400"), reason: .speedOutOfRange),
            Case(topic: topic, payload: replacing("heading_deg", "361"), reason: .headingOutOfRange),
            Case(topic: topic, payload: replacing("device_time_ms", "\(now + 3_600_000)"), reason: .timestampInFuture),
            Case(topic: topic, payload: replacing("device_time_ms", "\(now - 90 * 86_400_000)"), reason: .timestampTooOld),
            Case(topic: VehicleChannel.telemetry.topic(for: other), payload: json, reason: .vehicleMismatch),
            Case(topic: topic, payload: #"{"v":1,"vehicle_id":"\#(valid.vehicleID.rawValue)"}"#, reason: .invalidMessage),
        ]
    }
}
