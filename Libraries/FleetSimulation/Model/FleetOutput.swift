public import FleetCore

/// Something a simulation step produced that the gateway publishes.
public enum FleetOutput: Hashable, Sendable {
    /// A telemetry sample of vehicle `vehicle` (an index into ``FleetModel/vehicleIDs``).
    /// Its `sequence` is 0: the gateway numbers samples as it stores them.
    case telemetry(vehicle: Int, Telemetry)
    /// The vehicle's status changed (published as retained ``VehicleState``).
    case statusChanged(vehicle: Int, VehicleStatus)
    /// The vehicle lost (`false`) or regained (`true`) its connection (an injected offline period).
    case connectivityChanged(vehicle: Int, online: Bool)
    /// A payload that is deliberately not valid telemetry (malformed or oversized), for the telemetry topic.
    case rawPayload(vehicle: Int, [UInt8], fault: FaultKind)
    /// A command accepted earlier finished (for example `return_to_base` on arrival).
    case commandFinished(vehicle: Int, commandID: MessageID, status: CommandAckStatus, reason: String?)
}

/// The immediate result of handing a command to a vehicle.
public enum CommandOutcome: Hashable, Sendable {
    /// Executed at once: acknowledged `accepted`, then `completed`.
    case completed
    /// Accepted; a ``FleetOutput/commandFinished(vehicle:commandID:status:reason:)`` follows later.
    case accepted
    /// Refused, with the reason sent in the acknowledgement.
    case rejected(String)
}
