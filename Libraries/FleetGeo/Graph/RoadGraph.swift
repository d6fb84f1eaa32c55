/// An immutable, compact directed road graph (compressed sparse row adjacency).
///
/// **Nodes** are intersections and dead ends: OSM nodes shared by two or more drivable ways (or used twice by one),
/// way ends, and nodes next to references missing from the extract. **Edges** run intersection to intersection;
/// each carries its full polyline (``geometry(of:)``, first point = source, last point = target), its length
/// (haversine along the polyline), speed and travel time. A two-way street yields two edges with reversed
/// geometry that are each other's ``reverseEdge(of:)``. Edges leaving a node are contiguous
/// (``outgoingEdges(of:)``).
///
/// Node and edge identifiers are dense `Int` indices (`0..<nodeCount`, `0..<edgeCount`). Value type, `Sendable`,
/// cheap to copy (copy-on-write arrays).
public struct RoadGraph: Hashable, Sendable {
    // Nodes.
    let nodeCoordinates: [GeoCoordinate]
    let nodeOSMIDs: [Int64]
    /// `nodeCount + 1` offsets into the edge arrays.
    let nodeEdgeStart: [Int32]

    // Edges, sorted by source.
    let edgeSources: [Int32]
    let edgeTargets: [Int32]
    let edgeLengths: [Double]
    let edgeSpeeds: [Double]
    let edgeTravelTimes: [Double]
    let edgeWayIDs: [Int64]
    /// Index of each edge's road name in `roadNames`, -1 for none.
    let edgeNames: [Int32]
    let edgeReverses: [Int32]
    /// `edgeCount + 1` offsets into `geometryPoints`.
    let edgeGeometryStart: [Int32]
    let geometryPoints: [GeoCoordinate]
    /// Distinct road names (`name` tag, else `ref`), in order of first appearance among the ways.
    let roadNames: [String]

    /// Highest edge speed in metres per second (the A* time heuristic divides by it).
    public let maximumSpeed: Double

    /// Number of nodes (intersections and dead ends).
    public var nodeCount: Int { nodeCoordinates.count }
    /// Number of directed edges.
    public var edgeCount: Int { edgeTargets.count }
    /// Total number of polyline points over all edges (endpoints included).
    public var geometryPointCount: Int { geometryPoints.count }

    // MARK: Nodes

    /// Position of `node`.
    public func coordinate(of node: Int) -> GeoCoordinate { nodeCoordinates[node] }

    /// OSM id of the node `node` was built from.
    public func osmNodeID(of node: Int) -> Int64 { nodeOSMIDs[node] }

    /// Edges leaving `node`.
    public func outgoingEdges(of node: Int) -> Range<Int> {
        Int(nodeEdgeStart[node])..<Int(nodeEdgeStart[node + 1])
    }

    // MARK: Edges

    /// Node `edge` starts at.
    public func source(of edge: Int) -> Int { Int(edgeSources[edge]) }

    /// Node `edge` ends at.
    public func target(of edge: Int) -> Int { Int(edgeTargets[edge]) }

    /// Length of `edge` along its polyline, metres.
    public func length(of edge: Int) -> Double { edgeLengths[edge] }

    /// Speed on `edge`, metres per second.
    public func speed(of edge: Int) -> Double { edgeSpeeds[edge] }

    /// Time to traverse `edge` at ``speed(of:)``, seconds.
    public func travelTime(of edge: Int) -> Double { edgeTravelTimes[edge] }

    /// OSM id of the way `edge` was cut from.
    public func wayID(of edge: Int) -> Int64 { edgeWayIDs[edge] }

    /// The road `edge` belongs to: its OSM way's `name` tag, else its `ref` tag (such as "M6"), else `nil`.
    public func roadName(of edge: Int) -> String? {
        let name = edgeNames[edge]
        return name < 0 ? nil : roadNames[Int(name)]
    }

    /// The opposite direction of the same street section, if it is two-way.
    public func reverseEdge(of edge: Int) -> Int? {
        let reverse = edgeReverses[edge]
        return reverse < 0 ? nil : Int(reverse)
    }

    /// Polyline of `edge` from source to target (at least two points).
    public func geometry(of edge: Int) -> ArraySlice<GeoCoordinate> {
        geometryPoints[Int(edgeGeometryStart[edge])..<Int(edgeGeometryStart[edge + 1])]
    }

    /// All attributes of `edge` in one value.
    public func edge(_ edge: Int) -> RoadEdge {
        RoadEdge(
            id: edge, source: source(of: edge), target: target(of: edge), length: length(of: edge),
            speed: speed(of: edge), travelTime: travelTime(of: edge), wayID: wayID(of: edge),
            reverseEdge: reverseEdge(of: edge), roadName: roadName(of: edge))
    }
}
