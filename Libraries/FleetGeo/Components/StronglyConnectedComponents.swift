/// The strongly connected components of a ``RoadGraph`` (iterative Tarjan, no recursion).
///
/// Every node of a component can reach every other node of it. Pick simulation origins and destinations from
/// ``largestComponentNodes`` (or with ``randomNodeInLargestComponent(using:)``) so every route exists.
public struct StronglyConnectedComponents: Hashable, Sendable {
    /// Component index of each node.
    public let componentOfNode: [Int32]
    /// Number of nodes in each component.
    public let componentSizes: [Int]
    /// Index of the largest component (the first one found among equals).
    public let largestComponent: Int
    /// Nodes of the largest component, ascending.
    public let largestComponentNodes: [Int]

    /// Number of components.
    public var count: Int { componentSizes.count }

    /// Computes the components of `graph` in O(nodes + edges).
    public init(graph: RoadGraph) {
        let nodeCount = graph.nodeCount
        var index = [Int32](repeating: -1, count: nodeCount)
        var lowLink = [Int32](repeating: 0, count: nodeCount)
        var onStack = [Bool](repeating: false, count: nodeCount)
        var component = [Int32](repeating: -1, count: nodeCount)
        var sizes: [Int] = []
        var stack: [Int32] = []
        // Explicit DFS frames: node and the next outgoing edge to look at.
        var frames: [(node: Int32, nextEdge: Int32)] = []
        var counter: Int32 = 0

        for root in 0..<nodeCount where index[root] < 0 {
            index[root] = counter
            lowLink[root] = counter
            counter += 1
            stack.append(Int32(root))
            onStack[root] = true
            frames.append((Int32(root), Int32(graph.nodeEdgeStart[root])))

            while let frame = frames.last {
                let node = Int(frame.node)
                let end = graph.nodeEdgeStart[node + 1]
                if frame.nextEdge < end {
                    frames[frames.count - 1].nextEdge += 1
                    let target = Int(graph.edgeTargets[Int(frame.nextEdge)])
                    if index[target] < 0 {
                        index[target] = counter
                        lowLink[target] = counter
                        counter += 1
                        stack.append(Int32(target))
                        onStack[target] = true
                        frames.append((Int32(target), graph.nodeEdgeStart[target]))
                    } else if onStack[target] {
                        lowLink[node] = min(lowLink[node], index[target])
                    }
                    continue
                }
                // All edges done: close the component if `node` is its root, then return to the parent.
                frames.removeLast()
                if lowLink[node] == index[node] {
                    let id = Int32(sizes.count)
                    var size = 0
                    while let member = stack.popLast() {
                        onStack[Int(member)] = false
                        component[Int(member)] = id
                        size += 1
                        if Int(member) == node { break }
                    }
                    sizes.append(size)
                }
                if let parent = frames.last {
                    lowLink[Int(parent.node)] = min(lowLink[Int(parent.node)], lowLink[node])
                }
            }
        }

        componentOfNode = component
        componentSizes = sizes
        let largest = sizes.indices.max { sizes[$0] < sizes[$1] || (sizes[$0] == sizes[$1] && $0 > $1) } ?? 0
        largestComponent = largest
        largestComponentNodes = component.indices.filter { component[$0] == Int32(largest) }
    }

    /// Whether `node` is in the largest component.
    public func isInLargestComponent(_ node: Int) -> Bool {
        componentOfNode[node] == Int32(largestComponent)
    }

    /// A uniformly random node of the largest component (`nil` for an empty graph).
    public func randomNodeInLargestComponent(using generator: inout some RandomNumberGenerator) -> Int? {
        largestComponentNodes.randomElement(using: &generator)
    }
}
