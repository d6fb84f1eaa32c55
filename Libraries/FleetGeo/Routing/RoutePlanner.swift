import HeapModule

/// Point-to-point shortest paths on a ``RoadGraph`` (Dijkstra or A*, binary heap).
///
/// Keeps its per-node scratch arrays between queries (reset lazily with a generation stamp), so reuse one planner
/// for many routes. A value type: give each task its own copy.
public struct RoutePlanner: Sendable {
    /// The graph searched.
    public let graph: RoadGraph

    private var cost: [Double]
    private var parentEdge: [Int32]
    private var stamp: [UInt32]
    private var generation: UInt32 = 0
    private var heap = Heap<QueueEntry>()

    /// Number of nodes settled by the last search (a measure of the work done).
    public private(set) var settledNodeCount = 0

    /// Creates a planner for `graph`.
    public init(graph: RoadGraph) {
        self.graph = graph
        cost = [Double](repeating: 0, count: graph.nodeCount)
        parentEdge = [Int32](repeating: -1, count: graph.nodeCount)
        stamp = [UInt32](repeating: 0, count: graph.nodeCount)
    }

    /// The best route from `origin` to `destination` (node indices), or `nil` if none exists.
    /// `origin == destination` gives an empty route.
    public mutating func route(
        from origin: Int, to destination: Int, metric: RouteMetric = .travelTime, algorithm: SearchAlgorithm = .dijkstra
    ) -> Route? {
        precondition(graph.nodeCount > origin && origin >= 0 && graph.nodeCount > destination && destination >= 0,
            "node index out of range")
        startSearch()
        let goal = graph.coordinate(of: destination)
        let heuristicScale: Double
        switch (algorithm, metric) {
        case (.dijkstra, _): heuristicScale = 0
        case (.aStar, .length): heuristicScale = 1
        case (.aStar, .travelTime): heuristicScale = 1 / graph.maximumSpeed
        }
        func estimate(_ node: Int) -> Double {
            heuristicScale == 0 ? 0 : graph.coordinate(of: node).distance(to: goal) * heuristicScale
        }

        relax(origin, cost: 0, via: -1)
        heap.insert(QueueEntry(priority: estimate(origin), cost: 0, node: Int32(origin)))
        var reached = false
        while let entry = heap.popMin() {
            let node = Int(entry.node)
            guard entry.cost <= cost[node] else { continue }  // Stale entry.
            settledNodeCount += 1
            if node == destination {
                reached = true
                break
            }
            for edge in graph.outgoingEdges(of: node) {
                let weight = metric == .travelTime ? graph.edgeTravelTimes[edge] : graph.edgeLengths[edge]
                let target = Int(graph.edgeTargets[edge])
                let candidate = entry.cost + weight
                if stamp[target] != generation || candidate < cost[target] {
                    relax(target, cost: candidate, via: Int32(edge))
                    heap.insert(QueueEntry(priority: candidate + estimate(target), cost: candidate, node: Int32(target)))
                }
            }
        }
        guard reached else { return nil }

        var edges: [Int] = []
        var node = destination
        while parentEdge[node] >= 0 {
            let edge = Int(parentEdge[node])
            edges.append(edge)
            node = graph.source(of: edge)
        }
        edges.reverse()
        var nodes = [origin]
        var length = 0.0
        var travelTime = 0.0
        for edge in edges {
            nodes.append(graph.target(of: edge))
            length += graph.length(of: edge)
            travelTime += graph.travelTime(of: edge)
        }
        return Route(nodes: nodes, edges: edges, length: length, travelTime: travelTime)
    }

    private mutating func startSearch() {
        heap = Heap()
        settledNodeCount = 0
        if generation == .max {
            stamp = [UInt32](repeating: 0, count: stamp.count)
            generation = 0
        }
        generation += 1
    }

    private mutating func relax(_ node: Int, cost value: Double, via edge: Int32) {
        stamp[node] = generation
        cost[node] = value
        parentEdge[node] = edge
    }

    /// A heap entry: `priority` orders the queue (cost plus heuristic), `cost` detects stale entries.
    private struct QueueEntry: Comparable {
        var priority: Double
        var cost: Double
        var node: Int32

        static func < (lhs: QueueEntry, rhs: QueueEntry) -> Bool {
            lhs.priority < rhs.priority
        }

        static func == (lhs: QueueEntry, rhs: QueueEntry) -> Bool {
            lhs.priority == rhs.priority
        }
    }
}
