import FleetCore

/// The route a ``RoadVehicle`` follows after a `follow_route` command: its stops snapped to graph nodes, how many are
/// done, and the service under way at the current one.
struct FollowedRoute: Sendable {
    /// The `follow_route` command, acknowledged `completed` after the last stop (or `failed` when superseded).
    let commandID: MessageID
    let routeID: String
    let stops: [RouteStop]
    /// The graph node each stop was snapped to (nearest node of the largest strongly connected component).
    let nodes: [Int]
    /// Stops whose service is done.
    var completed = 0
    /// Seconds of service left at the current stop; `nil` while driving to it.
    var serviceRemaining: Double?

    init(commandID: MessageID, route: RouteInstruction, nodes: [Int]) {
        self.commandID = commandID
        self.routeID = route.routeID
        self.stops = route.stops
        self.nodes = nodes
    }

    /// Whether every stop is done (the vehicle stands until resumed or given something else to do).
    var isFinished: Bool { completed >= stops.count }

    /// The node of the stop being driven to or served.
    var targetNode: Int? { isFinished ? nil : nodes[completed] }

    /// What telemetry reports.
    var progress: RouteProgress {
        RouteProgress(routeID: routeID, completedStops: completed, nextStopID: isFinished ? nil : stops[completed].id)
    }
}
