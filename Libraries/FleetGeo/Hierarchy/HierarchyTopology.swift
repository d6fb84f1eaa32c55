import HeapModule

/// The metric-independent part of a ``ContractionHierarchy``: elimination order, chordal supergraph and triangles.
///
/// Nodes are referred to by **rank** (their position in the elimination order). Arc `a` joins `low` to
/// `upHeads[a]` for `upStart[low] ≤ a < upStart[low + 1]`, heads ascending within a row.
struct HierarchyTopology: Sendable {
    let nodeCount: Int
    /// Rank of each graph node.
    let rankOfNode: [Int32]
    /// Graph node at each rank.
    let nodeAtRank: [Int32]
    /// `nodeCount + 1` offsets into `upHeads`.
    let upStart: [Int32]
    /// Higher end of each arc.
    let upHeads: [Int32]
    /// Elimination-tree parent of each rank (its lowest upward neighbour), -1 for a root.
    let parent: [Int32]
    /// For each graph edge, the arc it lies on (-1 for a loop) …
    let edgeArcs: [Int32]
    /// … and whether it runs from the arc's lower end to its higher end.
    let edgeIsUpward: [Bool]
    /// The arc `a–b` of each lower triangle `x, a < b`, in the order x ascending, then pairs of x's arcs (i < j).
    let triangleArcs: [Int32]
    /// Height of the elimination tree (nodes on the longest root path).
    let height: Int

    var arcCount: Int { upHeads.count }

    init(graph: RoadGraph) {
        let n = graph.nodeCount
        nodeCount = n

        // Undirected simple skeleton.
        var adjacency = [Set<Int32>](repeating: [], count: n)
        for edge in 0..<graph.edgeCount {
            let source = graph.edgeSources[edge]
            let target = graph.edgeTargets[edge]
            if source != target {
                adjacency[Int(source)].insert(target)
                adjacency[Int(target)].insert(source)
            }
        }

        // Minimum-degree elimination; eliminating a node makes its remaining neighbours a clique (fill-in).
        var heap = Heap<DegreeEntry>()
        for node in 0..<n { heap.insert(DegreeEntry(degree: Int32(adjacency[node].count), node: Int32(node))) }
        var eliminated = [Bool](repeating: false, count: n)
        var order: [Int32] = []
        order.reserveCapacity(n)
        var upNeighbours = [[Int32]](repeating: [], count: n)
        while let entry = heap.popMin() {
            let node = Int(entry.node)
            guard !eliminated[node], Int(entry.degree) == adjacency[node].count else { continue }  // Stale.
            eliminated[node] = true
            order.append(entry.node)
            let neighbours = adjacency[node].sorted()
            upNeighbours[node] = neighbours
            adjacency[node] = []
            for neighbour in neighbours { adjacency[Int(neighbour)].remove(entry.node) }
            for (index, a) in neighbours.enumerated() {
                for b in neighbours[(index + 1)...] {
                    adjacency[Int(a)].insert(b)
                    adjacency[Int(b)].insert(a)
                }
            }
            for neighbour in neighbours {
                heap.insert(DegreeEntry(degree: Int32(adjacency[Int(neighbour)].count), node: neighbour))
            }
        }

        var rankOfNode = [Int32](repeating: 0, count: n)
        for (rank, node) in order.enumerated() { rankOfNode[Int(node)] = Int32(rank) }
        var upStart: [Int32] = [0]
        upStart.reserveCapacity(n + 1)
        var upHeads: [Int32] = []
        var parent = [Int32](repeating: -1, count: n)
        for rank in 0..<n {
            let heads = upNeighbours[Int(order[rank])].map { rankOfNode[Int($0)] }.sorted()
            upHeads.append(contentsOf: heads)
            upStart.append(Int32(upHeads.count))
            parent[rank] = heads.first ?? -1
        }

        func arc(_ low: Int32, _ high: Int32) -> Int32 {
            var lower = Int(upStart[Int(low)])
            var upper = Int(upStart[Int(low) + 1])
            while lower < upper {
                let middle = (lower + upper) / 2
                if upHeads[middle] < high { lower = middle + 1 } else { upper = middle }
            }
            precondition(lower < upStart[Int(low) + 1] && upHeads[lower] == high, "missing arc in chordal graph")
            return Int32(lower)
        }

        var edgeArcs = [Int32](repeating: -1, count: graph.edgeCount)
        var edgeIsUpward = [Bool](repeating: false, count: graph.edgeCount)
        for edge in 0..<graph.edgeCount {
            let source = rankOfNode[Int(graph.edgeSources[edge])]
            let target = rankOfNode[Int(graph.edgeTargets[edge])]
            guard source != target else { continue }
            edgeArcs[edge] = arc(min(source, target), max(source, target))
            edgeIsUpward[edge] = source < target
        }

        var triangleArcs: [Int32] = []
        for x in 0..<n {
            let first = Int(upStart[x])
            let end = Int(upStart[x + 1])
            for i in first..<end {
                for j in (i + 1)..<end { triangleArcs.append(arc(upHeads[i], upHeads[j])) }
            }
        }

        // Depth of each rank counted from the roots (parents have higher ranks: go downwards).
        var depth = [Int32](repeating: 1, count: n)
        for rank in stride(from: n - 1, through: 0, by: -1) where parent[rank] >= 0 {
            depth[rank] = depth[Int(parent[rank])] + 1
        }

        self.rankOfNode = rankOfNode
        nodeAtRank = order
        self.upStart = upStart
        self.upHeads = upHeads
        self.parent = parent
        self.edgeArcs = edgeArcs
        self.edgeIsUpward = edgeIsUpward
        self.triangleArcs = triangleArcs
        height = Int(depth.max() ?? 0)
    }

    /// The arc joining ranks `low < high` (binary search; `nil` if there is none).
    func arc(from low: Int, to high: Int) -> Int? {
        var lower = Int(upStart[low])
        let end = Int(upStart[low + 1])
        var upper = end
        while lower < upper {
            let middle = (lower + upper) / 2
            if Int(upHeads[middle]) < high { lower = middle + 1 } else { upper = middle }
        }
        return lower < end && Int(upHeads[lower]) == high ? lower : nil
    }

    private struct DegreeEntry: Comparable {
        var degree: Int32
        var node: Int32

        static func < (lhs: DegreeEntry, rhs: DegreeEntry) -> Bool {
            (lhs.degree, lhs.node) < (rhs.degree, rhs.node)
        }
    }
}
