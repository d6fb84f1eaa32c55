/// A customizable contraction hierarchy over a ``RoadGraph``, for fast many-to-many travel matrices and routes.
///
/// Built in two phases (Dibbelt, Strasser, Wagner: *Customizable Contraction Hierarchies*, 2016):
///
/// 1. **Topology** (once per graph, metric-independent): nodes are eliminated in a minimum-degree order of the
///    undirected road network; eliminating a node joins all its remaining neighbours (no witness search), so the
///    result is a chordal supergraph whose arcs go from each node to higher-ranked ones. Every upward neighbour
///    of a node is its ancestor in the elimination tree, so a search upward from a node only visits that node's
///    ancestors, in ascending rank, without a priority queue.
/// 2. **Customization** (every time the weights change, ``customize(travelTimes:)``): arcs take the original edge
///    weights, then every lower triangle is relaxed bottom-up (Geisberger's shortcuts, with their weights computed
///    for the current metric instead of re-contracting).
///
/// Costs are exact integers: milliseconds of travel time, ties broken by centimetres of length, so each result
/// also carries the distance of the time-shortest path. Input travel times are seconds per edge; `.infinity`
/// closes an edge. Value type, `Sendable`: the topology is shared between copies, a customization copies only
/// the per-arc weights.
public struct ContractionHierarchy: Sendable {
    /// The graph the hierarchy was built for.
    public let graph: RoadGraph
    let topology: HierarchyTopology

    // Current metric.
    /// Packed cost of each graph edge (see `TravelCost`).
    private(set) var edgeCosts: [UInt64]
    /// Cost of each hierarchy arc from its lower to its higher end.
    private(set) var upwardCosts: [UInt64]
    /// Cost of each hierarchy arc from its higher to its lower end.
    private(set) var downwardCosts: [UInt64]
    /// For an upward cost that came from a lower triangle, the rank of the middle node; -1 when it is `upwardEdges`.
    private(set) var upwardMiddles: [Int32]
    private(set) var downwardMiddles: [Int32]
    /// The graph edge an arc direction stands for when its middle is -1 (-1 when there is none).
    private(set) var upwardEdges: [Int32]
    private(set) var downwardEdges: [Int32]

    /// Builds the hierarchy of `graph` and customizes it with `travelTimes` (seconds per edge, `.infinity` closes
    /// an edge; the graph's own ``RoadGraph/travelTime(of:)`` when `nil`).
    public init(graph: RoadGraph, travelTimes: [Double]? = nil) {
        self.graph = graph
        topology = HierarchyTopology(graph: graph)
        let arcs = topology.arcCount
        edgeCosts = []
        upwardCosts = [UInt64](repeating: TravelCost.infinity, count: arcs)
        downwardCosts = upwardCosts
        upwardMiddles = [Int32](repeating: -1, count: arcs)
        downwardMiddles = upwardMiddles
        upwardEdges = upwardMiddles
        downwardEdges = upwardMiddles
        customize(travelTimes: travelTimes ?? graph.edgeTravelTimes)
    }

    /// Number of graph nodes.
    public var nodeCount: Int { topology.nodeCount }

    /// Number of hierarchy arcs (each usable in both directions): the graph's street sections plus shortcuts.
    public var arcCount: Int { topology.arcCount }

    /// Number of lower triangles relaxed by each customization.
    public var triangleCount: Int { topology.triangleArcs.count }

    /// Height of the elimination tree: the most nodes any single upward search visits.
    public var eliminationTreeHeight: Int { topology.height }

    /// The travel time of `edge` in the current metric, seconds (milliseconds precision; `.infinity` if closed).
    public func travelTime(of edge: Int) -> Double {
        let cost = edgeCosts[edge]
        return cost >= TravelCost.infinity ? .infinity : TravelCost.seconds(cost)
    }

    /// Replaces the metric: `travelTimes` holds seconds for every graph edge (`.infinity` closes an edge; must not
    /// be negative). Keeps the topology, so it costs one pass over the edges and one over the lower triangles.
    public mutating func customize(travelTimes: [Double]) {
        precondition(travelTimes.count == graph.edgeCount, "one travel time per edge")
        edgeCosts = (0..<graph.edgeCount).map {
            TravelCost.edge(seconds: travelTimes[$0], metres: graph.edgeLengths[$0])
        }
        let arcs = topology.arcCount
        var up = [UInt64](repeating: TravelCost.infinity, count: arcs)
        var down = up
        var upMiddle = [Int32](repeating: -1, count: arcs)
        var downMiddle = upMiddle
        var upEdge = upMiddle
        var downEdge = upMiddle

        // Original edges (the cheapest of parallel ones).
        for edge in 0..<graph.edgeCount {
            let arc = Int(topology.edgeArcs[edge])
            guard arc >= 0 else { continue }  // Loop.
            let cost = edgeCosts[edge]
            if topology.edgeIsUpward[edge] {
                if cost < up[arc] {
                    up[arc] = cost
                    upEdge[arc] = Int32(edge)
                }
            } else if cost < down[arc] {
                down[arc] = cost
                downEdge[arc] = Int32(edge)
            }
        }

        // Lower triangles, bottom-up: arcs x–a and x–b (x below a < b) are final when x is reached.
        topology.upStart.withUnsafeBufferPointer { start in
            topology.triangleArcs.withUnsafeBufferPointer { triangles in
                up.withUnsafeMutableBufferPointer { up in
                    down.withUnsafeMutableBufferPointer { down in
                        var triangle = 0
                        for x in 0..<topology.nodeCount {
                            let first = Int(start[x])
                            let end = Int(start[x + 1])
                            for i in first..<end {
                                let upI = up[i]
                                let downI = down[i]
                                for j in (i + 1)..<end {
                                    let k = Int(triangles[triangle])
                                    triangle += 1
                                    let viaUp = downI &+ up[j]  // a → x → b
                                    if viaUp < up[k] {
                                        up[k] = viaUp
                                        upMiddle[k] = Int32(x)
                                    }
                                    let viaDown = down[j] &+ upI  // b → x → a
                                    if viaDown < down[k] {
                                        down[k] = viaDown
                                        downMiddle[k] = Int32(x)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        upwardCosts = up
        downwardCosts = down
        upwardMiddles = upMiddle
        downwardMiddles = downMiddle
        upwardEdges = upEdge
        downwardEdges = downEdge
    }
}
