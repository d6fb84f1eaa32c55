/// A concrete FleetCore MQTT topic, built from parts or parsed (and validated) from a string.
///
/// ```
/// fleet/v1/vehicles/{vehicle_id}/telemetry
/// fleet/v1/vehicles/{vehicle_id}/telemetry/committed
/// fleet/v1/vehicles/{vehicle_id}/state
/// fleet/v1/vehicles/{vehicle_id}/desired
/// fleet/v1/vehicles/{vehicle_id}/commands
/// fleet/v1/vehicles/{vehicle_id}/commands/ack
/// fleet/v1/events/{event_type}
/// fleet/v1/deadletter/{source}
/// ```
public enum FleetTopic: Hashable, Sendable, CustomStringConvertible {
    /// A per-vehicle channel.
    case vehicle(VehicleID, VehicleChannel)
    /// Fleet events of one type.
    case events(FleetEventType)
    /// Messages a service (`source`, `[A-Za-z0-9._-]{1,64}`) could not process.
    case deadLetter(source: String)

    /// The topic string.
    public var name: String {
        switch self {
        case .vehicle(let id, let channel): channel.topic(for: id)
        case .events(let type): "\(FleetTopics.eventsPrefix)/\(type.rawValue)"
        case .deadLetter(let source): "\(FleetTopics.deadLetterPrefix)/\(source)"
        }
    }

    /// The topic string.
    public var description: String { name }

    /// The vehicle for per-vehicle topics.
    public var vehicleID: VehicleID? {
        if case .vehicle(let id, _) = self { return id }
        return nil
    }

    /// The message type published on the topic (`nil` for dead letters, which carry the original payload).
    public var messageKind: MessageKind? {
        switch self {
        case .vehicle(_, let channel): channel.messageKind
        case .events: .fleetEvent
        case .deadLetter: nil
        }
    }

    /// Parses and validates a concrete topic (no wildcards).
    /// - Throws: ``ValidationError`` with field `topic` for anything outside the scheme,
    ///   or `vehicle_id` for a malformed vehicle identifier.
    public init(parsing topic: String) throws(ValidationError) {
        // Per-vehicle topics are every message of the ingest path: read them without splitting into levels. Anything
        // the fast path does not accept goes the long way, which says what is wrong.
        if let vehicleTopic = Self.vehicleTopic(topic) {
            self = vehicleTopic
            return
        }
        let levels = topic.split(separator: "/", omittingEmptySubsequences: false)
        guard levels.count >= 4, levels[0] == "fleet", levels[1] == "v1" else {
            throw ValidationError(field: "topic", reason: "not a fleet/v1 topic: \"\(topic)\"")
        }
        switch levels[2] {
        case "vehicles":
            let id = try VehicleID(String(levels[3]))
            let suffix = levels.dropFirst(4).joined(separator: "/")
            guard let channel = VehicleChannel(rawValue: suffix) else {
                throw ValidationError(field: "topic", reason: "unknown vehicle channel \"\(suffix)\"")
            }
            self = .vehicle(id, channel)
        case "events":
            guard levels.count == 4, let type = FleetEventType(rawValue: String(levels[3])) else {
                throw ValidationError(field: "topic", reason: "unknown event type \"\(levels.dropFirst(3).joined(separator: "/"))\"")
            }
            self = .events(type)
        case "deadletter":
            let source = String(levels[3])
            guard levels.count == 4, FleetTopics.isValidToken(source) else {
                throw ValidationError(field: "topic", reason: "dead-letter source must be one [A-Za-z0-9._-]{1,64} level")
            }
            self = .deadLetter(source: source)
        default:
            throw ValidationError(field: "topic", reason: "unknown topic family \"\(levels[2])\"")
        }
    }

    /// `fleet/v1/vehicles/{id}/{channel}` read from the bytes, or nil for anything else (or anything invalid).
    static func vehicleTopic(_ topic: String) -> FleetTopic? {
        let bytes = topic.utf8
        let prefix = "fleet/v1/vehicles/".utf8
        guard bytes.count > prefix.count, bytes.starts(with: prefix) else { return nil }
        let idStart = bytes.index(bytes.startIndex, offsetBy: prefix.count)
        guard let slash = bytes[idStart...].firstIndex(of: UInt8(ascii: "/")) else { return nil }
        guard let id = VehicleID(validating: String(Substring(topic[idStart..<slash]))),
            let channel = VehicleChannel(rawValue: String(Substring(topic[bytes.index(after: slash)...])))
        else { return nil }
        return .vehicle(id, channel)
    }

    /// Parses a topic, returning `nil` if it is not a valid FleetCore topic.
    public init?(_ topic: String) {
        guard let parsed = try? FleetTopic(parsing: topic) else { return nil }
        self = parsed
    }
}
