import FleetCore
import FleetGeo
import Testing

@Suite("Shortest paths on Monaco")
struct RoutingTests {
    @Test("200 random pairs in the largest component: paths exist, are consistent and plausible, A* = Dijkstra")
    func randomPairs() throws {
        let graph = try Monaco.pbfGraph.get()
        let components = try Monaco.components.get()
        var planner = RoutePlanner(graph: graph)
        var rng = SplitMix64(seed: 2024)
        var worstDetour = 0.0
        var detours: [Double] = []
        var dijkstraSettled = 0
        var aStarSettled = 0
        for _ in 0..<200 {
            let originResult = components.randomNodeInLargestComponent(using: &rng)
            let origin = try #require(originResult)
            let destinationResult = components.randomNodeInLargestComponent(using: &rng)
            let destination = try #require(destinationResult)
            let routeResult = planner.route(from: origin, to: destination, algorithm: .dijkstra)
            let route = try #require(routeResult)
            dijkstraSettled += planner.settledNodeCount
            let aStarResult = planner.route(from: origin, to: destination, algorithm: .aStar)
            let aStar = try #require(aStarResult)
            aStarSettled += planner.settledNodeCount
            #expect(abs(route.travelTime - aStar.travelTime) <= 1e-9 * max(1, route.travelTime))

            // Structure: the edges chain from origin to destination and the totals add up.
            #expect(route.nodes.first == origin && route.nodes.last == destination)
            #expect(route.nodes.count == route.edges.count + 1)
            for (index, edge) in route.edges.enumerated() {
                #expect(graph.source(of: edge) == route.nodes[index] && graph.target(of: edge) == route.nodes[index + 1])
            }
            #expect(abs(route.length - route.edges.reduce(0) { $0 + graph.length(of: $1) }) < 1e-6)
            let polyline = graph.polyline(of: route)
            #expect(polyline.first == graph.coordinate(of: origin) && polyline.last == graph.coordinate(of: destination))

            // Plausibility against the great circle.
            let crow = graph.coordinate(of: origin).distance(to: graph.coordinate(of: destination))
            #expect(route.length >= crow - 1e-6)

            // The shortest-by-length route is no longer than the fastest one, and A* agrees on it too.
            let shortestResult = planner.route(from: origin, to: destination, metric: .length, algorithm: .dijkstra)
            let shortest = try #require(shortestResult)
            let shortestAStarResult = planner.route(from: origin, to: destination, metric: .length, algorithm: .aStar)
            let shortestAStar = try #require(shortestAStarResult)
            #expect(shortest.length <= route.length + 1e-6)
            #expect(abs(shortest.length - shortestAStar.length) <= 1e-9 * max(1, shortest.length))
            #expect(route.travelTime <= shortest.travelTime + 1e-6)
            if crow > 500 {
                let detour = shortest.length / crow
                detours.append(detour)
                worstDetour = max(worstDetour, detour)
            }
        }
        detours.sort()
        let median = detours.isEmpty ? 0 : detours[detours.count / 2]
        print("Routes: median detour \(median), worst \(worstDetour) over \(detours.count) pairs > 500 m apart; settled Dijkstra \(dijkstraSettled / 200), A* \(aStarSettled / 200) per route")
        // Measured (seed 2024): median 1.65, worst 8.07 — two roads 516 m apart on the Cap-d'Ail hillside with no
        // link between them (a 4.2 km drive via the Grande Corniche). The median catches length errors; the worst
        // case only guards against absurd routes.
        #expect(median > 1 && median < 2)
        #expect(worstDetour < 10)
        #expect(aStarSettled < dijkstraSettled)
    }

    @Test("Routes into a dead end of a one-way spur do not exist; trivial routes are empty")
    func unreachable() throws {
        let n = GraphStructureTests.node
        let extract = OSMExtract(
            nodes: [n(1, 0, 0), n(2, 0, 0.001), n(3, 0, 0.002)],
            ways: [OSMWay(id: 1, nodeIDs: [1, 2, 3], tags: ["highway": "residential", "oneway": "yes"])])
        let graph = RoadGraph(extract: extract)
        var planner = RoutePlanner(graph: graph)
        let forward = planner.route(from: 0, to: 1)
        let backward = planner.route(from: 1, to: 0)
        let backwardDijkstra = planner.route(from: 1, to: 0, algorithm: .dijkstra)
        #expect(forward != nil)
        #expect(backward == nil)
        #expect(backwardDijkstra == nil)
        let trivialResult = planner.route(from: 1, to: 1)
        let trivial = try #require(trivialResult)
        #expect(trivial.edges.isEmpty && trivial.nodes == [1] && trivial.length == 0)
    }
}
