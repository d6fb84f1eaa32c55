import FleetCore
import FleetGeo
import Testing

@Suite("Strongly connected components")
struct ComponentTests {
    @Test("Monaco's largest component holds most of the graph")
    func monaco() throws {
        let graph = try Monaco.pbfGraph.get()
        let components = try Monaco.components.get()
        print("SCC: \(components.count) components, largest \(components.largestComponentNodes.count) of \(graph.nodeCount) nodes")
        #expect(components.componentSizes.reduce(0, +) == graph.nodeCount)
        #expect(components.largestComponentNodes.count == components.componentSizes.max())
        #expect(components.largestComponentNodes.count > graph.nodeCount * 8 / 10)
        var rng = SplitMix64(seed: 7)
        for _ in 0..<100 {
            let nodeResult = components.randomNodeInLargestComponent(using: &rng)
            let node = try #require(nodeResult)
            #expect(components.isInLargestComponent(node))
        }
    }

    @Test("A one-way spur leaves its dead end out of the cycle's component")
    func small() {
        let n = GraphStructureTests.node
        // Two-way 1-2-3, one-way 3→4 (dead end), one-way 5→1 (source only).
        let extract = OSMExtract(
            nodes: [n(1, 0, 0), n(2, 0, 0.001), n(3, 0, 0.002), n(4, 0, 0.003), n(5, 0.001, 0)],
            ways: [
                OSMWay(id: 1, nodeIDs: [1, 2], tags: ["highway": "residential"]),
                OSMWay(id: 2, nodeIDs: [2, 3], tags: ["highway": "residential"]),
                OSMWay(id: 3, nodeIDs: [3, 4], tags: ["highway": "residential", "oneway": "yes"]),
                OSMWay(id: 4, nodeIDs: [5, 1], tags: ["highway": "residential", "oneway": "yes"]),
            ])
        let graph = RoadGraph(extract: extract)
        let components = StronglyConnectedComponents(graph: graph)
        #expect(components.count == 3)
        #expect(components.largestComponentNodes.map(graph.osmNodeID(of:)) == [1, 2, 3])
    }

    @Test("A 60,000-node one-way ring is one component (no recursion limits)")
    func deepCycle() {
        let count = 60_000
        let nodes = (0..<count).map { index -> OSMNode in
            let latitude = Double(index % 1000) * 1e-4
            let longitude = Double(index / 1000) * 1e-4
            return GraphStructureTests.node(Int64(index + 1), latitude, longitude)
        }
        let ways = (0..<count).map { index -> OSMWay in
            let from = Int64(index + 1)
            let to = Int64((index + 1) % count + 1)
            return OSMWay(id: from, nodeIDs: [from, to], tags: ["highway": "residential", "oneway": "yes"])
        }
        let graph = RoadGraph(extract: OSMExtract(nodes: nodes, ways: ways))
        #expect(graph.nodeCount == count)
        #expect(graph.edgeCount == count)
        let components = StronglyConnectedComponents(graph: graph)
        #expect(components.count == 1)
        #expect(components.largestComponentNodes.count == count)
    }
}
