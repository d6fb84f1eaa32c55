/// What a shortest-path search minimises.
public enum RouteMetric: Hashable, Sendable {
    /// Travel time (the default): fastest route.
    case travelTime
    /// Length: shortest route by distance.
    case length
}
