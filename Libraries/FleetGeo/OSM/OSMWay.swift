/// An OpenStreetMap way: an ordered list of node references and its tags.
public struct OSMWay: Hashable, Sendable {
    /// OSM way id.
    public var id: Int64
    /// Referenced node ids, in order.
    public var nodeIDs: [Int64]
    /// Tags (`highway`, `oneway`, `maxspeed`, …).
    public var tags: [String: String]

    /// Creates a way.
    public init(id: Int64, nodeIDs: [Int64], tags: [String: String]) {
        self.id = id
        self.nodeIDs = nodeIDs
        self.tags = tags
    }
}
