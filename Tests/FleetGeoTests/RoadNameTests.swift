import FleetGeo
import Testing

@Suite("Road names")
struct RoadNameTests {
    @Test("Monaco: Boulevard Albert 1er is a named one-way primary; edges of one way share its name")
    func monaco() throws {
        let graph = try Monaco.pbfGraph.get()
        // OSM way 166399479 is a one-way section of Boulevard Albert 1er (20 nodes).
        let albert = (0..<graph.edgeCount).filter { graph.wayID(of: $0) == 166_399_479 }
        #expect(!albert.isEmpty)
        for edge in albert {
            #expect(graph.roadName(of: edge) == "Boulevard Albert 1er")
            #expect(graph.edge(edge).roadName == "Boulevard Albert 1er")
            #expect(graph.reverseEdge(of: edge) == nil)
        }
        // Every edge of a way carries the same name, and a fair share of Monaco's roads are named.
        var nameOfWay: [Int64: String?] = [:]
        var named = 0
        for edge in 0..<graph.edgeCount {
            let name = graph.roadName(of: edge)
            if name != nil { named += 1 }
            if let previous = nameOfWay[graph.wayID(of: edge)] {
                #expect(previous == name)
            } else {
                nameOfWay[graph.wayID(of: edge)] = name
            }
        }
        #expect(named > graph.edgeCount / 2)
        #expect(Set(nameOfWay.values.compactMap { $0 }).contains("Boulevard Rainier III"))
    }

    @Test("name wins over ref, ref is the fallback, neither gives nil")
    func fallback() {
        let n = GraphStructureTests.node
        let extract = OSMExtract(
            nodes: [n(1, 43.73, 7.42), n(2, 43.731, 7.42), n(3, 43.732, 7.42), n(4, 43.733, 7.42)],
            ways: [
                OSMWay(id: 1, nodeIDs: [1, 2], tags: ["highway": "primary", "name": "Rue A", "ref": "D 1"]),
                OSMWay(id: 2, nodeIDs: [2, 3], tags: ["highway": "primary", "ref": "D 2"]),
                OSMWay(id: 3, nodeIDs: [3, 4], tags: ["highway": "residential"]),
            ])
        let graph = RoadGraph(extract: extract)
        #expect(graph.edgeCount == 6)
        for edge in 0..<graph.edgeCount {
            let expected: String? = [1: "Rue A", 2: "D 2", 3: nil][graph.wayID(of: edge)] ?? nil
            #expect(graph.roadName(of: edge) == expected)
        }
    }
}
