/// Scratch and code for upward searches in a ``ContractionHierarchy`` (one query at a time).
///
/// A search from up to two start ranks visits exactly their elimination-tree ancestors, in ascending rank, relaxing
/// each visited node's upward arcs with `relaxCosts`; no priority queue is needed. Scratch is allocated once,
/// reset lazily with a generation stamp, and reached through unsafe pointers so the loops neither allocate, retain
/// nor bounds-check. Only valid inside ``ContractionHierarchy/withSearches(_:_:)``, which owns the memory.
struct EliminationTreeSearch {
    let upStart: UnsafeBufferPointer<Int32>
    let upHeads: UnsafeBufferPointer<Int32>
    let parent: UnsafeBufferPointer<Int32>
    /// Costs of the arcs in the direction this search travels (upward costs for a forward search, downward for a
    /// backward one) …
    let relaxCosts: UnsafeBufferPointer<UInt64>
    /// … and in the other direction (for stalling).
    let stallCosts: UnsafeBufferPointer<UInt64>

    /// Best cost found per rank (valid where `stamp == generation`).
    let distance: UnsafeMutableBufferPointer<UInt64>
    /// Arc each rank was reached by (-1 for a start).
    let parentArc: UnsafeMutableBufferPointer<Int32>
    /// Rank each rank was reached from (-1 for a start).
    let parentNode: UnsafeMutableBufferPointer<Int32>
    let stamp: UnsafeMutableBufferPointer<UInt32>
    var generation: UInt32 = 0
    /// Ranks visited by the last search, ascending.
    let visited: UnsafeMutableBufferPointer<Int32>
    var visitedCount = 0
    /// Ranks (and their costs) where the last search may meet another: visited, reached, and not stalled.
    let meetingNodes: UnsafeMutableBufferPointer<Int32>
    let meetingCosts: UnsafeMutableBufferPointer<UInt64>
    var meetingCount = 0

    init(
        nodeCount: Int, height: Int, upStart: UnsafeBufferPointer<Int32>, upHeads: UnsafeBufferPointer<Int32>,
        parent: UnsafeBufferPointer<Int32>, relaxCosts: UnsafeBufferPointer<UInt64>,
        stallCosts: UnsafeBufferPointer<UInt64>
    ) {
        self.upStart = upStart
        self.upHeads = upHeads
        self.parent = parent
        self.relaxCosts = relaxCosts
        self.stallCosts = stallCosts
        distance = .allocate(capacity: nodeCount)
        parentArc = .allocate(capacity: nodeCount)
        parentNode = .allocate(capacity: nodeCount)
        stamp = .allocate(capacity: nodeCount)
        stamp.initialize(repeating: 0)
        // Two root paths of at most `height` nodes each.
        visited = .allocate(capacity: 2 * height + 2)
        meetingNodes = .allocate(capacity: 2 * height + 2)
        meetingCosts = .allocate(capacity: 2 * height + 2)
    }

    func deallocate() {
        distance.deallocate()
        parentArc.deallocate()
        parentNode.deallocate()
        stamp.deallocate()
        visited.deallocate()
        meetingNodes.deallocate()
        meetingCosts.deallocate()
    }

    /// Searches upward from `first` (at cost `firstCost`) and, if `second >= 0`, from `second`; then, if `stall`,
    /// drops the visited ranks that a higher visited rank reaches more cheaply by a downward arc (no shortest
    /// path meets there) and lists the others in `meetingNodes` (descending rank).
    mutating func run(first: Int32, firstCost: UInt64, second: Int32, secondCost: UInt64, stall: Bool) {
        if generation == .max {
            stamp.update(repeating: 0)
            generation = 0
        }
        generation += 1
        visitedCount = 0
        meetingCount = 0
        let infinity = TravelCost.infinity
        touch(first)
        distance[Int(first)] = min(firstCost, infinity)
        if second >= 0 {
            touch(second)
            distance[Int(second)] = min(distance[Int(second)], secondCost)
        }

        // Merge the two ascending root paths.
        var a = first
        var b = second
        while a >= 0 || b >= 0 {
            let node: Int
            if b < 0 || (a >= 0 && a < b) {
                node = Int(a)
                a = parent[node]
            } else if a < 0 || b < a {
                node = Int(b)
                b = parent[node]
            } else {
                node = Int(a)
                a = parent[node]
                b = -1
            }
            touch(Int32(node))
            visited[visitedCount] = Int32(node)
            visitedCount += 1
            let cost = distance[node]
            guard cost < infinity else { continue }
            for arc in Int(upStart[node])..<Int(upStart[node + 1]) {
                let head = Int(upHeads[arc])
                let candidate = cost &+ relaxCosts[arc]
                if stamp[head] != generation {
                    stamp[head] = generation
                    distance[head] = infinity
                    parentArc[head] = -1
                    parentNode[head] = -1
                }
                if candidate < distance[head] {
                    distance[head] = candidate
                    parentArc[head] = Int32(arc)
                    parentNode[head] = Int32(node)
                }
            }
        }

        // Meeting candidates, from the top down so stalled costs propagate.
        var index = visitedCount - 1
        while index >= 0 {
            let node = Int(visited[index])
            index -= 1
            var cost = distance[node]
            guard cost < infinity else { continue }
            var stalled = false
            if stall {
                for arc in Int(upStart[node])..<Int(upStart[node + 1]) {
                    let via = distance[Int(upHeads[arc])] &+ stallCosts[arc]
                    if via < cost {
                        cost = via
                        stalled = true
                    }
                }
            }
            if stalled {
                distance[node] = cost
            } else {
                meetingNodes[meetingCount] = Int32(node)
                meetingCosts[meetingCount] = cost
                meetingCount += 1
            }
        }
    }

    @inline(__always)
    private func touch(_ node: Int32) {
        let index = Int(node)
        if stamp[index] != generation {
            stamp[index] = generation
            distance[index] = TravelCost.infinity
            parentArc[index] = -1
            parentNode[index] = -1
        }
    }
}

extension ContractionHierarchy {
    /// Runs `body` with a forward (upward costs) and a backward (downward costs) search over this hierarchy.
    func withSearches<Result>(
        _ body: (inout EliminationTreeSearch, inout EliminationTreeSearch) -> Result
    ) -> Result {
        topology.upStart.withUnsafeBufferPointer { upStart in
            topology.upHeads.withUnsafeBufferPointer { upHeads in
                topology.parent.withUnsafeBufferPointer { parent in
                    upwardCosts.withUnsafeBufferPointer { upward in
                        downwardCosts.withUnsafeBufferPointer { downward in
                            var forward = EliminationTreeSearch(
                                nodeCount: nodeCount, height: topology.height, upStart: upStart, upHeads: upHeads,
                                parent: parent, relaxCosts: upward, stallCosts: downward)
                            var backward = EliminationTreeSearch(
                                nodeCount: nodeCount, height: topology.height, upStart: upStart, upHeads: upHeads,
                                parent: parent, relaxCosts: downward, stallCosts: upward)
                            defer {
                                forward.deallocate()
                                backward.deallocate()
                            }
                            return body(&forward, &backward)
                        }
                    }
                }
            }
        }
    }
}
