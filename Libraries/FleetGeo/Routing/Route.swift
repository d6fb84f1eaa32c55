/// A path through a ``RoadGraph``.
public struct Route: Hashable, Sendable {
    /// Nodes visited, starting with the origin and ending with the destination (`edges.count + 1` entries).
    public var nodes: [Int]
    /// Edges driven, in order.
    public var edges: [Int]
    /// Total length, metres.
    public var length: Double
    /// Total travel time, seconds.
    public var travelTime: Double

    /// Creates a route.
    public init(nodes: [Int], edges: [Int], length: Double, travelTime: Double) {
        self.nodes = nodes
        self.edges = edges
        self.length = length
        self.travelTime = travelTime
    }
}
