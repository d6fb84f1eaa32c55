/// How far a vehicle is along the route it was given with ``CommandAction/followRoute(_:)``, reported in every telemetry
/// sample while it has one. Wire name `route` (`{"route_id", "completed_stops", "next_stop_id"}`).
public struct RouteProgress: Hashable, Sendable {
    /// The plan the vehicle follows, `[A-Za-z0-9_-]{1,64}`. Wire name `route_id`.
    public var routeID: String
    /// Stops whose service is done, from 0 up to the upper bound of ``FleetLimits/routeStops``. Wire name
    /// `completed_stops`.
    public var completedStops: Int
    /// The stop the vehicle drives to or serves now; absent once every stop is done. Wire name `next_stop_id`.
    public var nextStopID: String?

    /// Creates a progress report (not validated until ``validate()``).
    public init(routeID: String, completedStops: Int, nextStopID: String? = nil) {
        self.routeID = routeID
        self.completedStops = completedStops
        self.nextStopID = nextStopID
    }

    /// Checks the ids and the count; field names are relative (`route_id`, `completed_stops`, `next_stop_id`).
    public func validate() throws(ValidationError) {
        try Check.routeIdentifier(routeID, "route_id")
        try Check.range(completedStops, 0...FleetLimits.routeStops.upperBound, "completed_stops")
        if let nextStopID { try Check.routeIdentifier(nextStopID, "next_stop_id") }
    }
}
