import HeapModule

extension TravelMatrix {
    /// The baseline: the same matrix as ``ContractionHierarchy/matrix(from:to:)`` by one plain Dijkstra search per
    /// source over `graph` (binary heap; each search stops once every target's edges are settled).
    ///
    /// `travelTimes` are seconds per edge (`.infinity` closes an edge), the graph's own travel times when `nil`.
    /// Costs are the same integers as the hierarchy's, so both give identical matrices.
    public static func dijkstra(
        graph: RoadGraph, travelTimes: [Double]? = nil, from sources: [Waypoint], to targets: [Waypoint]
    ) -> TravelMatrix {
        let times = travelTimes ?? graph.edgeTravelTimes
        precondition(times.count == graph.edgeCount, "one travel time per edge")
        let edgeCosts = (0..<graph.edgeCount).map { TravelCost.edge(seconds: times[$0], metres: graph.edgeLengths[$0]) }
        let columns = targets.count
        var costs = [UInt64](repeating: TravelCost.infinity, count: sources.count * columns)
        let targetLegs = targets.map { WaypointLegs($0, graph: graph, edgeCosts: edgeCosts) }

        // Nodes the targets are entered from, and how many distinct ones there are.
        var isGoal = [Bool](repeating: false, count: graph.nodeCount)
        var goalCount = 0
        for legs in targetLegs {
            for leg in 0..<legs.count {
                let node = graph.source(of: legs.edge(leg))
                if !isGoal[node] {
                    isGoal[node] = true
                    goalCount += 1
                }
            }
        }

        var distance = [UInt64](repeating: TravelCost.infinity, count: graph.nodeCount)
        var stamp = [UInt32](repeating: 0, count: graph.nodeCount)
        var generation: UInt32 = 0
        var heap = Heap<HeapEntry>()
        for (row, source) in sources.enumerated() {
            let legs = WaypointLegs(source, graph: graph, edgeCosts: edgeCosts)
            generation += 1
            heap = Heap()
            for leg in 0..<legs.count {
                let node = graph.target(of: legs.edge(leg))
                if stamp[node] != generation || legs.departure(leg) < distance[node] {
                    stamp[node] = generation
                    distance[node] = legs.departure(leg)
                    heap.insert(HeapEntry(cost: legs.departure(leg), node: Int32(node)))
                }
            }
            var goalsLeft = goalCount
            while let entry = heap.popMin(), goalsLeft > 0 {
                let node = Int(entry.node)
                guard entry.cost == distance[node] else { continue }  // Stale.
                if isGoal[node] { goalsLeft -= 1 }
                for edge in graph.outgoingEdges(of: node) {
                    let head = Int(graph.edgeTargets[edge])
                    let candidate = entry.cost &+ edgeCosts[edge]
                    if candidate < TravelCost.infinity && (stamp[head] != generation || candidate < distance[head]) {
                        stamp[head] = generation
                        distance[head] = candidate
                        heap.insert(HeapEntry(cost: candidate, node: Int32(head)))
                    }
                }
            }
            for (column, target) in targetLegs.enumerated() {
                var best = legs.direct(to: target).cost
                for leg in 0..<target.count {
                    let node = graph.source(of: target.edge(leg))
                    if stamp[node] == generation { best = min(best, distance[node] &+ target.arrival(leg)) }
                }
                costs[row * columns + column] = best
            }
        }
        return TravelMatrix(rows: sources.count, columns: columns, costs: costs)
    }

    private struct HeapEntry: Comparable {
        var cost: UInt64
        var node: Int32

        static func < (lhs: HeapEntry, rhs: HeapEntry) -> Bool { lhs.cost < rhs.cost }
    }
}
