/// Where a coordinate lands on the road network (see ``EdgeSpatialIndex/nearest(to:accepting:)``).
public struct RoadSnap: Hashable, Sendable {
    /// The edge snapped to. For two-way streets this is one of the two directions; the other is
    /// ``RoadGraph/reverseEdge(of:)`` at offset `length - offset`.
    public var edge: Int
    /// Index of the polyline segment within the edge (segment `i` joins points `i` and `i + 1`).
    public var segment: Int
    /// The closest point on the edge.
    public var coordinate: GeoCoordinate
    /// Distance from the edge's source along its polyline to ``coordinate``, metres.
    public var offset: Double
    /// Great-circle distance from the query to ``coordinate``, metres.
    public var distance: Double

    /// Creates a snap result.
    public init(edge: Int, segment: Int, coordinate: GeoCoordinate, offset: Double, distance: Double) {
        self.edge = edge
        self.segment = segment
        self.coordinate = coordinate
        self.offset = offset
        self.distance = distance
    }
}
