/// Every message type FleetCore can encode. The raw value names the JSON Schema
/// (`docs/schemas/<rawValue>.schema.json`); ``binaryTypeCode`` is byte 2 of the binary header.
public enum MessageKind: String, Hashable, Sendable, CaseIterable {
    /// ``Telemetry``.
    case telemetry
    /// ``TelemetryCommit``.
    case telemetryCommit = "telemetry_commit"
    /// ``VehicleState``.
    case vehicleState = "vehicle_state"
    /// ``DesiredState``.
    case desiredState = "desired_state"
    /// ``Command``.
    case command
    /// ``CommandAck``.
    case commandAck = "command_ack"
    /// ``FleetEvent``.
    case fleetEvent = "fleet_event"
    /// ``Alert``.
    case alert
    /// ``PositionBatch``.
    case positionBatch = "position_batch"
    /// ``CommitBatch``.
    case commitBatch = "commit_batch"

    /// The message-type byte of the binary encoding.
    public var binaryTypeCode: UInt8 {
        switch self {
        case .telemetry: 0x01
        case .telemetryCommit: 0x02
        case .vehicleState: 0x03
        case .desiredState: 0x04
        case .command: 0x05
        case .commandAck: 0x06
        case .fleetEvent: 0x07
        case .alert: 0x08
        case .positionBatch: 0x09
        case .commitBatch: 0x0A
        }
    }

    /// The kind with the given binary type byte, if any.
    public init?(binaryTypeCode: UInt8) {
        guard let match = MessageKind.allCases.first(where: { $0.binaryTypeCode == binaryTypeCode }) else { return nil }
        self = match
    }

    /// The Swift type carrying this kind of message.
    public var messageType: any WireMessage.Type {
        switch self {
        case .telemetry: Telemetry.self
        case .telemetryCommit: TelemetryCommit.self
        case .vehicleState: VehicleState.self
        case .desiredState: DesiredState.self
        case .command: Command.self
        case .commandAck: CommandAck.self
        case .fleetEvent: FleetEvent.self
        case .alert: Alert.self
        case .positionBatch: PositionBatch.self
        case .commitBatch: CommitBatch.self
        }
    }
}
