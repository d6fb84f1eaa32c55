public import FleetCore

/// What a ``SimulatorService`` subscribes to: wildcards for a fleet, one vehicle's topics for the agent.
public struct SubscriptionFilters: Sendable {
    /// Commands filter.
    public var commands: String
    /// Desired-state filter.
    public var desired: String
    /// Commit filter.
    public var committed: String

    /// Every vehicle: `fleet/v1/vehicles/+/…`.
    public static let allVehicles = SubscriptionFilters(
        commands: VehicleChannel.commands.filter, desired: VehicleChannel.desired.filter,
        committed: VehicleChannel.telemetryCommitted.filter)

    /// Only `vehicle`'s topics.
    public static func single(_ vehicle: VehicleID) -> SubscriptionFilters {
        SubscriptionFilters(
            commands: VehicleChannel.commands.topic(for: vehicle), desired: VehicleChannel.desired.topic(for: vehicle),
            committed: VehicleChannel.telemetryCommitted.topic(for: vehicle))
    }
}
