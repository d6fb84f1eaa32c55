extension ContractionHierarchy {
    /// Travel times and distances from every waypoint of `sources` to every waypoint of `targets` in the current
    /// metric (Knopp et al. 2007, bucket-based many-to-many, as OSRM's `many_to_many_ch`).
    ///
    /// One backward search per target leaves (target, cost) entries in the buckets of the nodes it can meet at;
    /// one forward search per source then scans the buckets of its own meeting nodes. Both searches walk the
    /// elimination tree and are stalled on demand. Pairs on the same edge with the target ahead also get the
    /// direct drive along it. Single-threaded; allocates only the buckets and the result.
    public func matrix(from sources: [Waypoint], to targets: [Waypoint]) -> TravelMatrix {
        let columns = targets.count
        var costs = [UInt64](repeating: TravelCost.infinity, count: sources.count * columns)
        guard !sources.isEmpty, columns > 0 else { return TravelMatrix(rows: sources.count, columns: columns, costs: costs) }
        let targetLegs = targets.map { WaypointLegs($0, graph: graph, edgeCosts: edgeCosts) }
        let rank = topology.rankOfNode
        let nodes = nodeCount

        withSearches { forward, backward in
            // Backward searches fill the buckets: counted per node, then placed (compressed sparse rows).
            var entryNodes: [Int32] = []
            var entryTargets: [Int32] = []
            var entryCosts: [UInt64] = []
            let estimate = columns * min(64, topology.height + 1)
            entryNodes.reserveCapacity(estimate)
            entryTargets.reserveCapacity(estimate)
            entryCosts.reserveCapacity(estimate)
            for (column, legs) in targetLegs.enumerated() where legs.count > 0 {
                backward.run(
                    first: rank[Int(graph.edgeSources[legs.edge(0)])], firstCost: legs.arrival(0),
                    second: legs.count > 1 ? rank[Int(graph.edgeSources[legs.edge(1)])] : -1,
                    secondCost: legs.count > 1 ? legs.arrival(1) : TravelCost.infinity, stall: true)
                for meeting in 0..<backward.meetingCount {
                    entryNodes.append(backward.meetingNodes[meeting])
                    entryTargets.append(Int32(column))
                    entryCosts.append(backward.meetingCosts[meeting])
                }
            }
            var bucketStart = [Int32](repeating: 0, count: nodes + 1)
            for node in entryNodes { bucketStart[Int(node) + 1] += 1 }
            for node in 0..<nodes { bucketStart[node + 1] += bucketStart[node] }
            var next = bucketStart
            var bucketTargets = [Int32](repeating: 0, count: entryNodes.count)
            var bucketCosts = [UInt64](repeating: 0, count: entryNodes.count)
            for entry in entryNodes.indices {
                let slot = Int(next[Int(entryNodes[entry])])
                next[Int(entryNodes[entry])] += 1
                bucketTargets[slot] = entryTargets[entry]
                bucketCosts[slot] = entryCosts[entry]
            }

            // Targets by the edges they lie on, for direct drives along a shared edge.
            var targetsOnEdge: [Int32: [Int32]] = [:]
            for (column, legs) in targetLegs.enumerated() {
                for leg in 0..<legs.count { targetsOnEdge[Int32(legs.edge(leg)), default: []].append(Int32(column)) }
            }

            // Forward searches scan the buckets of their meeting nodes.
            bucketStart.withUnsafeBufferPointer { bucketStart in
                bucketTargets.withUnsafeBufferPointer { bucketTargets in
                    bucketCosts.withUnsafeBufferPointer { bucketCosts in
                        costs.withUnsafeMutableBufferPointer { costs in
                            for (row, source) in sources.enumerated() {
                                let legs = WaypointLegs(source, graph: graph, edgeCosts: edgeCosts)
                                guard legs.count > 0 else { continue }
                                forward.run(
                                    first: rank[Int(graph.edgeTargets[legs.edge(0)])], firstCost: legs.departure(0),
                                    second: legs.count > 1 ? rank[Int(graph.edgeTargets[legs.edge(1)])] : -1,
                                    secondCost: legs.count > 1 ? legs.departure(1) : TravelCost.infinity, stall: true)
                                let base = row * columns
                                for meeting in 0..<forward.meetingCount {
                                    let node = Int(forward.meetingNodes[meeting])
                                    let cost = forward.meetingCosts[meeting]
                                    for entry in Int(bucketStart[node])..<Int(bucketStart[node + 1]) {
                                        let candidate = cost &+ bucketCosts[entry]
                                        let index = base + Int(bucketTargets[entry])
                                        if candidate < costs[index] { costs[index] = candidate }
                                    }
                                }
                                for leg in 0..<legs.count {
                                    guard let sharing = targetsOnEdge[Int32(legs.edge(leg))] else { continue }
                                    for column in sharing {
                                        let direct = legs.direct(to: targetLegs[Int(column)]).cost
                                        let index = base + Int(column)
                                        if direct < costs[index] { costs[index] = direct }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return TravelMatrix(rows: sources.count, columns: columns, costs: costs)
    }
}
