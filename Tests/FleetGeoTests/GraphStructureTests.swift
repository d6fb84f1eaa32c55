import FleetGeo
import Testing

@Suite("Graph construction")
struct GraphStructureTests {
    static func node(_ id: Int64, _ latitude: Double, _ longitude: Double) -> OSMNode {
        OSMNode(id: id, latitudeE7: Int32((latitude * 1e7).rounded()), longitudeE7: Int32((longitude * 1e7).rounded()))
    }

    /// A T-junction (two-way residential 1…5, one-way 3→6→7), a way with a missing node (8-9-✕-10-11),
    /// and a closed service loop 20-21-22-20.
    static let extract = OSMExtract(
        nodes: [
            node(1, 43.7300, 7.4200), node(2, 43.7301, 7.4201), node(3, 43.7302, 7.4202), node(4, 43.7303, 7.4203),
            node(5, 43.7304, 7.4204), node(6, 43.7305, 7.4202), node(7, 43.7306, 7.4202), node(8, 43.7400, 7.4300),
            node(9, 43.7401, 7.4300), node(10, 43.7402, 7.4300), node(11, 43.7403, 7.4300),
            node(20, 43.7500, 7.4400), node(21, 43.7501, 7.4400), node(22, 43.7501, 7.4401), node(99_999, 0, 0),
        ],
        ways: [
            OSMWay(id: 100, nodeIDs: [1, 2, 3, 4, 5], tags: ["highway": "residential"]),
            OSMWay(id: 101, nodeIDs: [3, 6, 7], tags: ["highway": "tertiary", "oneway": "yes", "maxspeed": "36"]),
            OSMWay(id: 102, nodeIDs: [8, 9, 12_345, 10, 11], tags: ["highway": "service"]),
            OSMWay(id: 103, nodeIDs: [20, 21, 22, 20], tags: ["highway": "service"]),
            OSMWay(id: 104, nodeIDs: [1, 5], tags: ["highway": "footway"]),
        ])

    @Test("Unreferenced nodes are dropped from the extract")
    func extractPruning() {
        #expect(Self.extract.node(id: 99_999) == nil)
        #expect(Self.extract.node(id: 6)?.latitudeE7 == 437_305_000)
    }

    @Test("Ways are cut at intersections, missing nodes and ends; one-way and two-way edges are right")
    func topology() throws {
        let graph = RoadGraph(extract: Self.extract)
        let osmIDs = (0..<graph.nodeCount).map(graph.osmNodeID(of:))
        #expect(osmIDs == [1, 3, 5, 7, 8, 9, 10, 11, 20])
        // 4 (T two-way) + 1 (one-way) + 2 + 2 (split service way) + 2 (loop, both directions).
        #expect(graph.edgeCount == 11)

        func edges(_ from: Int64, _ to: Int64) -> [Int] {
            (0..<graph.edgeCount).filter {
                graph.osmNodeID(of: graph.source(of: $0)) == from && graph.osmNodeID(of: graph.target(of: $0)) == to
            }
        }
        let oneWay = try #require(edges(3, 7).first)
        #expect(edges(7, 3).isEmpty)
        #expect(graph.reverseEdge(of: oneWay) == nil)
        #expect(graph.geometry(of: oneWay).count == 3)
        #expect(abs(graph.speed(of: oneWay) - 10) < 1e-9)
        #expect(abs(graph.travelTime(of: oneWay) - graph.length(of: oneWay) / 10) < 1e-9)

        let forward = try #require(edges(1, 3).first)
        let backward = try #require(graph.reverseEdge(of: forward))
        #expect(graph.source(of: backward) == graph.target(of: forward))
        #expect(Array(graph.geometry(of: backward)) == graph.geometry(of: forward).reversed())
        #expect(abs(graph.length(of: forward) - 2 * Self.extract.node(id: 1)!.coordinate.distance(
            to: Self.extract.node(id: 2)!.coordinate)) < 0.5)

        #expect(edges(9, 10).isEmpty)  // The missing node cuts the way.
        #expect(edges(8, 9).count == 1 && edges(10, 11).count == 1)
        #expect(edges(20, 20).count == 2)  // The closed loop, each direction.
        #expect(edges(1, 5).isEmpty)  // Footway.

        for node in 0..<graph.nodeCount {
            for edge in graph.outgoingEdges(of: node) { #expect(graph.source(of: edge) == node) }
        }
    }

    @Test("Positions along an edge interpolate its polyline")
    func interpolation() throws {
        let graph = RoadGraph(extract: Self.extract)
        let edge = try #require((0..<graph.edgeCount).first { graph.wayID(of: $0) == 101 })
        let geometry = Array(graph.geometry(of: edge))
        #expect(graph.position(onEdge: edge, atOffset: 0) == geometry[0])
        #expect(graph.position(onEdge: edge, atOffset: graph.length(of: edge) + 5) == geometry[2])
        let first = geometry[0].distance(to: geometry[1])
        #expect(graph.position(onEdge: edge, atOffset: first).distance(to: geometry[1]) < 0.01)
        let middle = graph.position(onEdge: edge, atOffset: first / 2)
        #expect(abs(middle.distance(to: geometry[0]) - first / 2) < 0.01)
    }

    @Test("Boulevard Albert 1er (way 4226740) is one-way in both extracts")
    func knownOneWay() throws {
        for (extract, graph) in [
            (try Monaco.pbfExtract.get(), try Monaco.pbfGraph.get()), (try Monaco.xmlExtract.get(), try Monaco.xmlGraph.get()),
        ] {
            let way = try #require(extract.ways.first { $0.id == 4_226_740 })
            #expect(way.tags["oneway"] == "yes")
            let edges = (0..<graph.edgeCount).filter { graph.wayID(of: $0) == way.id }
            #expect(!edges.isEmpty)
            let sections = Set(edges.map { [graph.source(of: $0), graph.target(of: $0)] })
            for edge in edges {
                #expect(graph.reverseEdge(of: edge) == nil)
                #expect(!sections.contains([graph.target(of: edge), graph.source(of: edge)]))
            }
            // Edges follow node order: the way's first node starts an edge and ends none of them.
            let firstNode = try #require(way.nodeIDs.first)
            #expect(edges.contains { graph.osmNodeID(of: graph.source(of: $0)) == firstNode })
            #expect(!edges.contains { graph.osmNodeID(of: graph.target(of: $0)) == firstNode })
        }
    }

    @Test("Every roundabout and one-way way in Monaco yields only forward edges")
    func allOneWays() throws {
        let extract = try Monaco.pbfExtract.get()
        let graph = try Monaco.pbfGraph.get()
        let oneWayIDs = Set(extract.ways.compactMap { way -> Int64? in
            guard let traversal = DrivingProfile.car.traversal(for: way.tags) else { return nil }
            return traversal.forward != traversal.backward ? way.id : nil
        })
        let roundabouts = extract.ways.filter { $0.tags["junction"] == "roundabout" }.map(\.id)
        #expect(oneWayIDs.count > 50)
        #expect(!roundabouts.isEmpty && roundabouts.allSatisfy(oneWayIDs.contains))
        var checked = 0
        for edge in 0..<graph.edgeCount where oneWayIDs.contains(graph.wayID(of: edge)) {
            #expect(graph.reverseEdge(of: edge) == nil)
            checked += 1
        }
        #expect(checked > 100)
        // And two-way ways do get twins.
        #expect((0..<graph.edgeCount).filter { graph.reverseEdge(of: $0) != nil }.count > graph.edgeCount / 2)
    }
}
