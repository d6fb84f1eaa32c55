extension ContractionHierarchy {
    /// The fastest drive from `source` to `target` in the current metric, unpacked to graph edges with its road
    /// geometry; `nil` if there is none. Its duration and distance equal ``matrix(from:to:)``'s for the pair.
    public func path(from source: Waypoint, to target: Waypoint) -> WaypointPath? {
        let sourceLegs = WaypointLegs(source, graph: graph, edgeCosts: edgeCosts)
        let targetLegs = WaypointLegs(target, graph: graph, edgeCosts: edgeCosts)
        guard sourceLegs.count > 0, targetLegs.count > 0 else { return nil }
        let rank = topology.rankOfNode
        let direct = sourceLegs.direct(to: targetLegs)

        // Upward searches from both ends (not stalled: the parents must stay a tree), met at the best rank.
        let found = withSearches { forward, backward -> (cost: UInt64, up: [(low: Int, arc: Int)],
            down: [(low: Int, arc: Int)], start: Int32, end: Int32)? in
            forward.run(
                first: rank[graph.target(of: sourceLegs.edge(0))], firstCost: sourceLegs.departure(0),
                second: sourceLegs.count > 1 ? rank[graph.target(of: sourceLegs.edge(1))] : -1,
                secondCost: sourceLegs.count > 1 ? sourceLegs.departure(1) : TravelCost.infinity, stall: false)
            backward.run(
                first: rank[graph.source(of: targetLegs.edge(0))], firstCost: targetLegs.arrival(0),
                second: targetLegs.count > 1 ? rank[graph.source(of: targetLegs.edge(1))] : -1,
                secondCost: targetLegs.count > 1 ? targetLegs.arrival(1) : TravelCost.infinity, stall: false)
            var best = TravelCost.infinity
            var meeting = -1
            for index in 0..<backward.visitedCount {
                let node = Int(backward.visited[index])
                guard forward.stamp[node] == forward.generation else { continue }
                let cost = forward.distance[node] &+ backward.distance[node]
                if cost < best {
                    best = cost
                    meeting = node
                }
            }
            guard meeting >= 0 else { return nil }
            var up: [(low: Int, arc: Int)] = []
            var node = meeting
            while forward.parentArc[node] >= 0 {
                let low = Int(forward.parentNode[node])
                up.append((low, Int(forward.parentArc[node])))
                node = low
            }
            let start = Int32(node)
            var down: [(low: Int, arc: Int)] = []
            node = meeting
            while backward.parentArc[node] >= 0 {
                let low = Int(backward.parentNode[node])
                down.append((low, Int(backward.parentArc[node])))
                node = low
            }
            return (best, up.reversed(), down, start, Int32(node))
        }

        if direct.cost < TravelCost.infinity, direct.cost <= found?.cost ?? TravelCost.infinity {
            let edge = sourceLegs.edge(direct.sourceLeg)
            return makePath(
                edges: [edge], start: sourceLegs.fraction(direct.sourceLeg),
                end: targetLegs.fraction(direct.targetLeg), cost: direct.cost)
        }
        guard let found else { return nil }

        // The legs the searches started from: the one at the start rank with the lowest cost.
        func leg(_ legs: WaypointLegs, at node: Int32, node of: (Int) -> Int, cost: (Int) -> UInt64) -> Int {
            var chosen = -1
            for index in 0..<legs.count where rank[of(legs.edge(index))] == node {
                if chosen < 0 || cost(index) < cost(chosen) { chosen = index }
            }
            return chosen
        }
        let first = leg(sourceLegs, at: found.start, node: graph.target(of:), cost: sourceLegs.departure)
        let last = leg(targetLegs, at: found.end, node: graph.source(of:), cost: targetLegs.arrival)
        var edges = [sourceLegs.edge(first)]
        for step in found.up {
            unpack(arc: step.arc, low: step.low, high: Int(topology.upHeads[step.arc]), upward: true, into: &edges)
        }
        for step in found.down {
            unpack(arc: step.arc, low: step.low, high: Int(topology.upHeads[step.arc]), upward: false, into: &edges)
        }
        edges.append(targetLegs.edge(last))
        return makePath(
            edges: edges, start: sourceLegs.fraction(first), end: targetLegs.fraction(last), cost: found.cost)
    }

    /// Appends the graph edges of arc `arc` (ranks `low < high`) driven upward (`low → high`) or downward.
    private func unpack(arc: Int, low: Int, high: Int, upward: Bool, into edges: inout [Int]) {
        let middle = Int(upward ? upwardMiddles[arc] : downwardMiddles[arc])
        guard middle >= 0 else {
            edges.append(Int(upward ? upwardEdges[arc] : downwardEdges[arc]))
            return
        }
        // Lower triangle: middle is below both ends, joined to each by an arc.
        guard let toLow = topology.arc(from: middle, to: low), let toHigh = topology.arc(from: middle, to: high) else {
            preconditionFailure("customized triangle without its arcs")
        }
        if upward {
            unpack(arc: toLow, low: middle, high: low, upward: false, into: &edges)
            unpack(arc: toHigh, low: middle, high: high, upward: true, into: &edges)
        } else {
            unpack(arc: toHigh, low: middle, high: high, upward: false, into: &edges)
            unpack(arc: toLow, low: middle, high: low, upward: true, into: &edges)
        }
    }

    private func makePath(edges: [Int], start: Double, end: Double, cost: UInt64) -> WaypointPath {
        var coordinates: [GeoCoordinate] = []
        for (index, edge) in edges.enumerated() {
            let from = index == 0 ? start : 0
            let to = index == edges.count - 1 ? end : 1
            let part = graph.polyline(of: edge, from: from, to: to)
            coordinates.append(contentsOf: coordinates.isEmpty ? part[...] : part.dropFirst())
        }
        return WaypointPath(
            edges: edges, startFraction: start, endFraction: end, duration: TravelCost.seconds(cost),
            distance: TravelCost.metres(cost), coordinates: coordinates)
    }
}
