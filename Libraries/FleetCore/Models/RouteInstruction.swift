/// The parameter of ``CommandAction/followRoute(_:)``: a plan's ordered stops for one vehicle to drive.
///
/// Wire name `route` beside `action` (`{"route_id": …, "stops": [{"id", "lat", "lon", "service_s"}, …]}`).
public struct RouteInstruction: Hashable, Sendable {
    /// The plan this route belongs to, `[A-Za-z0-9_-]{1,64}`. Wire name `route_id`.
    public var routeID: String
    /// The stops in driving order, ``FleetLimits/routeStops`` of them. Wire name `stops`.
    public var stops: [RouteStop]

    /// Creates a route (not validated until ``validate()``).
    public init(routeID: String, stops: [RouteStop]) {
        self.routeID = routeID
        self.stops = stops
    }

    /// Checks the id, the number of stops and every stop; field names are relative (`route_id`, `stops[2].lat`).
    public func validate() throws(ValidationError) {
        try Check.routeIdentifier(routeID, "route_id")
        guard FleetLimits.routeStops.contains(stops.count) else {
            throw ValidationError(
                field: "stops",
                reason: "must hold \(FleetLimits.routeStops.lowerBound)...\(FleetLimits.routeStops.upperBound) stops (got \(stops.count))")
        }
        for (index, stop) in stops.enumerated() {
            do throws(ValidationError) { try stop.validate() } catch { throw error.nested(under: "stops[\(index)]") }
        }
    }
}
