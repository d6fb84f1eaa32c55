public import FleetCore

/// What a ``SimulatorService`` subscribes to: wildcards for a fleet, one vehicle's topics for the agent.
public struct SubscriptionFilters: Sendable {
    /// Commands filter.
    public var commands: String
    /// Desired-state filter.
    public var desired: String
    /// Commit filter (the retained per-vehicle acknowledgements).
    public var committed: String
    /// The commit stream's filter (``CommitBatch``), or `nil` to follow only the per-vehicle acknowledgements.
    public var commitStream: String?

    /// Every vehicle: `fleet/v1/vehicles/+/…`, and the commit stream `fleet/v1/commits/+`.
    public static let allVehicles = SubscriptionFilters(
        commands: VehicleChannel.commands.filter, desired: VehicleChannel.desired.filter,
        committed: VehicleChannel.telemetryCommitted.filter, commitStream: FleetTopics.allCommits)

    /// Only `vehicle`'s topics (a vehicle's own broker account may read nothing else).
    public static func single(_ vehicle: VehicleID) -> SubscriptionFilters {
        SubscriptionFilters(
            commands: VehicleChannel.commands.topic(for: vehicle), desired: VehicleChannel.desired.topic(for: vehicle),
            committed: VehicleChannel.telemetryCommitted.topic(for: vehicle), commitStream: nil)
    }
}
