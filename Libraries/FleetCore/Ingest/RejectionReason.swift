/// Why a telemetry message was refused. The raw values are bounded: they are the `reason` label of every service's
/// rejection counter (`fleet_tracking_messages_total`, `fleet_health_messages_total`) and the `reason` of dead letters.
public enum RejectionReason: String, Sendable, CaseIterable {
    /// Not FleetCore JSON or binary, bad syntax, truncated, trailing bytes.
    case malformed
    /// Larger than the payload limit.
    case tooLarge = "too_large"
    /// A well-formed message of another version or type, or a required field missing or mistyped.
    case invalidMessage = "invalid_message"
    /// Latitude or longitude outside the globe, or (0, 0).
    case impossiblePosition = "impossible_position"
    /// Speed outside 0…120 m/s.
    case speedOutOfRange = "speed_out_of_range"
    /// Heading outside [0, 360).
    case headingOutOfRange = "heading_out_of_range"
    /// Another field fails validation (fault codes, percentages…).
    case invalidValue = "invalid_value"
    /// Device time further in the future than the allowed clock skew.
    case timestampInFuture = "timestamp_in_future"
    /// Device time older than the retention.
    case timestampTooOld = "timestamp_too_old"
    /// The vehicle in the payload is not the one in the topic.
    case vehicleMismatch = "vehicle_mismatch"
    /// Not a `fleet/v1/vehicles/{id}/telemetry` topic.
    case invalidTopic = "invalid_topic"
    /// The vehicle is not registered and the policy is `reject`.
    case unknownVehicle = "unknown_vehicle"
    /// A sequence number the vehicle's stream already holds, on a sample newer than the vehicle's latest one: the
    /// device numbers again from the start (reflashed, replaced) rather than resending. Dead-lettered, not taken for
    /// a duplicate, so it is not lost without a trace.
    case sequenceReused = "sequence_reused"

    /// The reason for a codec failure.
    public init(_ error: WireError) {
        switch error.kind {
        case .malformed, .truncated, .trailingData, .unknownFormat, .tooDeep:
            self = .malformed
        case .tooLarge:
            self = .tooLarge
        case .unsupportedVersion, .unknownMessageType, .wrongMessageType, .missingField, .typeMismatch:
            self = .invalidMessage
        case .invalidValue:
            switch error.field {
            case "position.lat", "position.lon", "position": self = .impossiblePosition
            case "speed_mps": self = .speedOutOfRange
            case "heading_deg": self = .headingOutOfRange
            default: self = .invalidValue
            }
        }
    }
}
