/// The per-vehicle topics below `fleet/v1/vehicles/{id}/`. The raw value is the topic suffix.
public enum VehicleChannel: String, Hashable, Sendable, CaseIterable {
    /// `…/telemetry` — ``Telemetry`` from the vehicle, QoS 1, not retained.
    case telemetry
    /// `…/telemetry/committed` — retained ``TelemetryCommit`` from the tracking service.
    case telemetryCommitted = "telemetry/committed"
    /// `…/state` — retained ``VehicleState``; the vehicle's last will publishes `offline` here.
    case state
    /// `…/desired` — retained ``DesiredState`` from the control service.
    case desired
    /// `…/commands` — ``Command``s to the vehicle, QoS 1, not retained.
    case commands
    /// `…/commands/ack` — ``CommandAck``s from the vehicle, QoS 1, not retained.
    case commandAcks = "commands/ack"

    /// The message type carried on this channel.
    public var messageKind: MessageKind {
        switch self {
        case .telemetry: .telemetry
        case .telemetryCommitted: .telemetryCommit
        case .state: .vehicleState
        case .desired: .desiredState
        case .commands: .command
        case .commandAcks: .commandAck
        }
    }

    /// Whether publishers set the MQTT retain flag on this channel.
    public var isRetained: Bool {
        switch self {
        case .telemetryCommitted, .state, .desired: true
        case .telemetry, .commands, .commandAcks: false
        }
    }

    /// The subscription filter for this channel of every vehicle, e.g. `fleet/v1/vehicles/+/telemetry`.
    public var filter: String { "\(FleetTopics.vehiclesPrefix)/+/\(rawValue)" }

    /// The concrete topic of this channel for `vehicle`.
    public func topic(for vehicle: VehicleID) -> String {
        "\(FleetTopics.vehiclesPrefix)/\(vehicle.rawValue)/\(rawValue)"
    }
}
