/// A point on the road network that trips start or end at: an edge and how far along it.
///
/// On a two-way street the point is on both directions (``RoadGraph/reverseEdge(of:)`` at `1 - fraction`), and a
/// trip may leave or reach it either way; on a one-way street only along ``edge``. Make waypoints with
/// ``EdgeSpatialIndex/waypoint(near:in:)`` so they lie in the largest strongly connected component.
public struct Waypoint: Hashable, Sendable {
    /// The edge the point is on.
    public var edge: Int
    /// Position along ``edge`` from its source, as a fraction of its length (0…1).
    public var fraction: Double
    /// The point on the road.
    public var coordinate: GeoCoordinate

    /// Creates a waypoint `fraction` (clamped to 0…1) of the way along `edge`.
    public init(edge: Int, fraction: Double, coordinate: GeoCoordinate) {
        self.edge = edge
        self.fraction = min(1, max(0, fraction.isNaN ? 0 : fraction))
        self.coordinate = coordinate
    }

    /// The waypoint where `snap` landed on `graph`.
    public init(snap: RoadSnap, in graph: RoadGraph) {
        let length = graph.length(of: snap.edge)
        self.init(edge: snap.edge, fraction: length > 0 ? snap.offset / length : 0, coordinate: snap.coordinate)
    }

    /// The point `fraction` of the way along `edge` of `graph`.
    public init(edge: Int, fraction: Double, in graph: RoadGraph) {
        let clamped = min(1, max(0, fraction))
        self.init(
            edge: edge, fraction: clamped,
            coordinate: graph.position(onEdge: edge, atOffset: clamped * graph.length(of: edge)))
    }
}
