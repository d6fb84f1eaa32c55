public import Foundation

/// A vehicle's acknowledgement of a ``Command``, published on `fleet/v1/vehicles/{id}/commands/ack`.
///
/// A command typically sees `accepted` followed by `completed` or `failed`, or a single `rejected`.
public struct CommandAck: Hashable, Sendable {
    /// The acknowledged command. Wire name `command_id`.
    public var commandID: MessageID
    /// The acknowledging vehicle. Wire name `vehicle_id`.
    public var vehicleID: VehicleID
    /// Outcome. Wire name `status`.
    public var status: CommandAckStatus
    /// Explanation, mainly for `rejected` / `failed` (at most 256 characters). Wire name `reason`.
    public var reason: String?
    /// When the vehicle reached this status, milliseconds since the Unix epoch. Wire name `at_ms`.
    public var atMillis: Int64

    /// Creates an acknowledgement (not validated until ``validate()``).
    public init(commandID: MessageID, vehicleID: VehicleID, status: CommandAckStatus, reason: String? = nil, atMillis: Int64) {
        self.commandID = commandID
        self.vehicleID = vehicleID
        self.status = status
        self.reason = reason
        self.atMillis = atMillis
    }

    /// ``atMillis`` as a `Date`.
    public var at: Date { TimestampPolicy.date(fromMillis: atMillis) }

    /// Checks the timestamp and reason length.
    public func validate() throws(ValidationError) {
        if let reason { try Check.text(reason, length: 0...FleetLimits.maxReasonLength, "reason") }
        try Check.timestamp(atMillis, "at_ms")
    }
}
