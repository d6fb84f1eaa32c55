/// The attributes of one directed edge of a ``RoadGraph``.
public struct RoadEdge: Hashable, Sendable {
    /// Edge index.
    public var id: Int
    /// Start node.
    public var source: Int
    /// End node.
    public var target: Int
    /// Length along the polyline, metres.
    public var length: Double
    /// Speed, metres per second.
    public var speed: Double
    /// Traversal time, seconds.
    public var travelTime: Double
    /// OSM way the edge was cut from.
    public var wayID: Int64
    /// The opposite direction of a two-way street section.
    public var reverseEdge: Int?
    /// The road's name (`name` tag, else `ref`), if it has one.
    public var roadName: String?
}
