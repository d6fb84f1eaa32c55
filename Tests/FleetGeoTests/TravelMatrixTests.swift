import FleetCore
import FleetGeo
import Testing

@Suite("Contraction hierarchy travel matrices on Monaco")
struct TravelMatrixTests {
    static let hierarchy = Monaco.pbfGraph.map { ContractionHierarchy(graph: $0) }

    /// `count` waypoints snapped from random points of the graph's bounding box into the largest component.
    static func randomWaypoints(_ count: Int, seed: UInt64) throws -> [Waypoint] {
        let graph = try Monaco.pbfGraph.get()
        let components = try Monaco.components.get()
        let index = try Monaco.spatialIndex.get()
        let latitudes = (0..<graph.nodeCount).map { graph.coordinate(of: $0).latitude }
        let longitudes = (0..<graph.nodeCount).map { graph.coordinate(of: $0).longitude }
        var rng = SplitMix64(seed: seed)
        return try (0..<count).map { _ in
            let point = GeoCoordinate(
                latitude: Double.random(in: latitudes.min()!...latitudes.max()!, using: &rng),
                longitude: Double.random(in: longitudes.min()!...longitudes.max()!, using: &rng))
            return try #require(index.waypoint(near: point, in: components))
        }
    }

    static func expectEqual(_ a: TravelMatrix, _ b: TravelMatrix) {
        #expect(a.rows == b.rows && a.columns == b.columns)
        var mismatches = 0
        for row in 0..<a.rows {
            for column in 0..<a.columns {
                let (d1, d2) = (a.duration(from: row, to: column), b.duration(from: row, to: column))
                let (l1, l2) = (a.distance(from: row, to: column), b.distance(from: row, to: column))
                if let d1, let d2, let l1, let l2 {
                    if abs(d1 - d2) > 1e-6 * max(1, d2) || abs(l1 - l2) > 1e-6 * max(1, l2) { mismatches += 1 }
                } else if (d1 == nil) != (d2 == nil) || (l1 == nil) != (l2 == nil) {
                    mismatches += 1
                }
            }
        }
        #expect(mismatches == 0, "\(mismatches) of \(a.rows * a.columns) entries differ")
    }

    @Test("CH matrix equals the Dijkstra matrix for 150 × 120 random waypoints")
    func agreesWithDijkstra() throws {
        let graph = try Monaco.pbfGraph.get()
        let hierarchy = try Self.hierarchy.get()
        let sources = try Self.randomWaypoints(150, seed: 1)
        let targets = try Self.randomWaypoints(120, seed: 2)
        let fast = hierarchy.matrix(from: sources, to: targets)
        let slow = TravelMatrix.dijkstra(graph: graph, from: sources, to: targets)
        print("CH: \(graph.nodeCount) nodes, \(hierarchy.arcCount) arcs, \(hierarchy.triangleCount) triangles, height \(hierarchy.eliminationTreeHeight)")
        Self.expectEqual(fast, slow)
        for row in 0..<fast.rows {
            for column in 0..<fast.columns { #expect(fast.isReachable(from: row, to: column)) }
        }
    }
}

extension TravelMatrixTests {
    /// Edges of the largest component at least `length` metres long, one-way or two-way.
    static func edges(twoWay: Bool, longerThan length: Double) throws -> [Int] {
        let graph = try Monaco.pbfGraph.get()
        let components = try Monaco.components.get()
        return (0..<graph.edgeCount).filter {
            (graph.reverseEdge(of: $0) != nil) == twoWay && graph.length(of: $0) > length
                && components.isInLargestComponent(graph.source(of: $0))
                && components.isInLargestComponent(graph.target(of: $0))
        }
    }

    @Test("Waypoints at nodes give RoutePlanner's travel times (up to a millisecond per edge)")
    func agreesWithRoutePlanner() throws {
        let graph = try Monaco.pbfGraph.get()
        let hierarchy = try Self.hierarchy.get()
        var planner = RoutePlanner(graph: graph)
        let edges = try Self.edges(twoWay: false, longerThan: 0) + Self.edges(twoWay: true, longerThan: 0)
        var rng = SplitMix64(seed: 7)
        for _ in 0..<100 {
            let from = edges.randomElement(using: &rng)!
            let to = edges.randomElement(using: &rng)!
            // At the end of `from` and the start of `to`: exactly the nodes target(from) and source(to).
            let matrix = hierarchy.matrix(
                from: [Waypoint(edge: from, fraction: 1, in: graph)], to: [Waypoint(edge: to, fraction: 0, in: graph)])
            let found = planner.route(from: graph.target(of: from), to: graph.source(of: to))
            let route = try #require(found)
            let duration = try #require(matrix.duration(from: 0, to: 0))
            #expect(abs(duration - route.travelTime) <= 0.0005 * Double(route.edges.count) + 1e-9)
        }
    }

    @Test("On two-way roads with equal times both ways the matrix is symmetric; Monaco's one-way streets are not")
    func symmetry() throws {
        let graph = try Monaco.pbfGraph.get()
        let components = try Monaco.components.get()
        let index = try Monaco.spatialIndex.get()
        var hierarchy = try Self.hierarchy.get()
        let everywhere = try Self.randomWaypoints(60, seed: 11)
        let asIs = hierarchy.matrix(from: everywhere, to: everywhere)
        var asymmetric = 0
        for i in 0..<60 {
            for j in 0..<i where asIs.duration(from: i, to: j) != asIs.duration(from: j, to: i) { asymmetric += 1 }
        }
        #expect(asymmetric > 60 * 59 / 4)

        // One-way streets closed, two-way streets as slow both ways as their slower direction.
        let times = (0..<graph.edgeCount).map { edge -> Double in
            guard let reverse = graph.reverseEdge(of: edge) else { return .infinity }
            return max(graph.travelTime(of: edge), graph.travelTime(of: reverse))
        }
        hierarchy.customize(travelTimes: times)
        var rng = SplitMix64(seed: 12)
        let box = (0..<graph.nodeCount).map { graph.coordinate(of: $0) }
        let twoWay = try (0..<60).map { _ in
            let near = try #require(box.randomElement(using: &rng))
            let snap = index.nearest(to: near) {
                graph.reverseEdge(of: $0) != nil && components.isInLargestComponent(graph.source(of: $0))
            }
            return Waypoint(snap: try #require(snap), in: graph)
        }
        let matrix = hierarchy.matrix(from: twoWay, to: twoWay)
        Self.expectEqual(matrix, TravelMatrix.dijkstra(graph: graph, travelTimes: times, from: twoWay, to: twoWay))
        var reachable = 0
        for i in 0..<60 {
            #expect(matrix.duration(from: i, to: i) == 0)
            for j in 0..<60 {
                #expect(matrix.duration(from: i, to: j) == matrix.duration(from: j, to: i))
                #expect(matrix.distance(from: i, to: j) == matrix.distance(from: j, to: i))
                if matrix.isReachable(from: i, to: j) { reachable += 1 }
            }
        }
        // Closing the one-way streets splits Monaco into many pieces; most points still reach some others.
        #expect(reachable >= 60 + 150)
    }

    @Test("Two points on a one-way street: ahead is a direct drive, behind is a detour around the block")
    func oneWayDetour() throws {
        let graph = try Monaco.pbfGraph.get()
        let hierarchy = try Self.hierarchy.get()
        var planner = RoutePlanner(graph: graph)
        let oneWays = try Self.edges(twoWay: false, longerThan: 60)
        #expect(oneWays.count > 10)
        for edge in oneWays.prefix(10) {
            let behind = Waypoint(edge: edge, fraction: 0.2, in: graph)
            let ahead = Waypoint(edge: edge, fraction: 0.8, in: graph)
            let matrix = hierarchy.matrix(from: [behind, ahead], to: [behind, ahead])
            #expect(matrix == TravelMatrix.dijkstra(graph: graph, from: [behind, ahead], to: [behind, ahead]))
            let forward = try #require(matrix.duration(from: 0, to: 1))
            let backward = try #require(matrix.duration(from: 1, to: 0))
            #expect(matrix.duration(from: 0, to: 0) == 0 && matrix.duration(from: 1, to: 1) == 0)
            #expect(abs(forward - 0.6 * graph.travelTime(of: edge)) <= 0.0015)  // Three roundings to the millisecond.
            #expect(abs(try #require(matrix.distance(from: 0, to: 1)) - 0.6 * graph.length(of: edge)) <= 0.01)
            // Behind: to the end of the street, round the block to its start, then 20 % along.
            let found = planner.route(from: graph.target(of: edge), to: graph.source(of: edge))
            let around = try #require(found)
            let expected = around.travelTime + 0.4 * graph.travelTime(of: edge)
            #expect(backward > forward)
            #expect(abs(backward - expected) <= 0.0005 * Double(around.edges.count + 2))
            let path = try #require(hierarchy.path(from: ahead, to: behind))
            #expect(path.edges.first == edge && path.edges.last == edge && path.edges.count >= 3)
        }
    }

    @Test("Unreachable pairs are nil, in the hierarchy as in Dijkstra")
    func unreachable() throws {
        let graph = try Monaco.pbfGraph.get()
        let components = try Monaco.components.get()
        var hierarchy = try Self.hierarchy.get()
        // Waypoints on edges outside the largest component (fragments, dead-end spurs) and inside it.
        let outside = (0..<graph.edgeCount).filter { !components.isInLargestComponent(graph.source(of: $0)) }
        #expect(!outside.isEmpty)
        let waypoints = try outside.prefix(20).map { Waypoint(edge: $0, fraction: 0.5, in: graph) }
            + Self.randomWaypoints(20, seed: 21)
        let matrix = hierarchy.matrix(from: waypoints, to: waypoints)
        Self.expectEqual(matrix, TravelMatrix.dijkstra(graph: graph, from: waypoints, to: waypoints))
        var missing = 0
        for i in waypoints.indices {
            for j in waypoints.indices where matrix.duration(from: i, to: j) == nil {
                #expect(matrix.distance(from: i, to: j) == nil && !matrix.isReachable(from: i, to: j))
                #expect(hierarchy.path(from: waypoints[i], to: waypoints[j]) == nil)
                missing += 1
            }
        }
        #expect(missing > 0)

        // Closing the road a waypoint is on (both ways) cuts it off entirely.
        let closed = waypoints[25]
        var times = (0..<graph.edgeCount).map(graph.travelTime(of:))
        times[closed.edge] = .infinity
        if let reverse = graph.reverseEdge(of: closed.edge) { times[reverse] = .infinity }
        hierarchy.customize(travelTimes: times)
        let cut = hierarchy.matrix(from: waypoints, to: waypoints)
        Self.expectEqual(cut, TravelMatrix.dijkstra(graph: graph, travelTimes: times, from: waypoints, to: waypoints))
        for other in waypoints.indices {
            #expect(cut.duration(from: 25, to: other) == nil && cut.duration(from: other, to: 25) == nil)
        }
        #expect(cut.isReachable(from: 30, to: 31))
    }

    @Test("Slowing one road 10× slows exactly the pairs whose route used it; customizing back restores the matrix")
    func reweighting() throws {
        let graph = try Monaco.pbfGraph.get()
        let original = try Self.hierarchy.get()
        let sources = try Self.randomWaypoints(40, seed: 31)
        let targets = try Self.randomWaypoints(40, seed: 32)
        let before = original.matrix(from: sources, to: targets)
        let route = try #require(original.path(from: sources[0], to: targets[0]))
        #expect(route.edges.count >= 3)
        let slowed = route.edges[route.edges.count / 2]
        var times = (0..<graph.edgeCount).map(graph.travelTime(of:))
        times[slowed] *= 10

        var hierarchy = original
        let clock = ContinuousClock()
        let elapsed = clock.measure { hierarchy.customize(travelTimes: times) }
        print("Customization (debug build): \(elapsed)")
        let after = hierarchy.matrix(from: sources, to: targets)
        Self.expectEqual(after, TravelMatrix.dijkstra(graph: graph, travelTimes: times, from: sources, to: targets))
        var changed = 0
        for row in sources.indices {
            for column in targets.indices {
                let old = try #require(before.duration(from: row, to: column))
                let new = try #require(after.duration(from: row, to: column))
                let path = try #require(original.path(from: sources[row], to: targets[column]))
                if path.edges.contains(slowed) {
                    #expect(new > old)
                    changed += 1
                } else {
                    #expect(new == old)
                }
            }
        }
        #expect(changed >= 1)
        #expect(after.duration(from: 0, to: 0)! > before.duration(from: 0, to: 0)!)
        hierarchy.customize(travelTimes: (0..<graph.edgeCount).map(graph.travelTime(of:)))
        #expect(hierarchy.matrix(from: sources, to: targets) == before)
    }

    @Test("Unpacked paths are connected edge chains with the matrix's duration and distance and the road geometry")
    func pathUnpacking() throws {
        let graph = try Monaco.pbfGraph.get()
        let hierarchy = try Self.hierarchy.get()
        var sources = try Self.randomWaypoints(30, seed: 41)
        var targets = try Self.randomWaypoints(30, seed: 42)
        // Pairs on one edge, ahead and behind.
        for edge in try Self.edges(twoWay: false, longerThan: 60).prefix(3) + Self.edges(twoWay: true, longerThan: 60).prefix(3) {
            sources += [Waypoint(edge: edge, fraction: 0.3, in: graph), Waypoint(edge: edge, fraction: 0.7, in: graph)]
            targets += [Waypoint(edge: edge, fraction: 0.7, in: graph), Waypoint(edge: edge, fraction: 0.3, in: graph)]
        }
        let matrix = hierarchy.matrix(from: sources, to: targets)
        for (row, source) in sources.enumerated() {
            for (column, target) in targets.enumerated() where row % 3 == 0 || row == column {
                let path = try #require(hierarchy.path(from: source, to: target))
                #expect(path.duration == matrix.duration(from: row, to: column))
                #expect(path.distance == matrix.distance(from: row, to: column))
                let first = try #require(path.edges.first)
                let last = try #require(path.edges.last)
                #expect(first == source.edge || first == graph.reverseEdge(of: source.edge))
                #expect(last == target.edge || last == graph.reverseEdge(of: target.edge))
                for (a, b) in zip(path.edges, path.edges.dropFirst()) { #expect(graph.target(of: a) == graph.source(of: b)) }

                // Totals from the edges themselves (milliseconds and centimetres rounded per edge).
                var duration = 0.0
                var distance = 0.0
                for (index, edge) in path.edges.enumerated() {
                    let from = index == 0 ? path.startFraction : 0
                    let to = index == path.edges.count - 1 ? path.endFraction : 1
                    duration += (to - from) * graph.travelTime(of: edge)
                    distance += (to - from) * graph.length(of: edge)
                }
                let edgeCount = Double(path.edges.count)
                #expect(abs(duration - path.duration) <= 0.001 * edgeCount)
                #expect(abs(distance - path.distance) <= 0.01 * edgeCount)

                // Geometry from the source point to the target point, as long as the distance.
                let line = path.coordinates
                #expect(line.count >= 2)
                #expect(line[0].distance(to: source.coordinate) < 0.5)
                #expect(line[line.count - 1].distance(to: target.coordinate) < 0.5)
                let length = zip(line, line.dropFirst()).reduce(0) { $0 + $1.0.distance(to: $1.1) }
                #expect(abs(length - path.distance) <= 0.005 * path.distance + 1)
            }
        }
    }
}

extension TravelMatrixTests {
    @Test("TravelMatrixBenchmark runs on Monaco, its baseline rows agree with the hierarchy")
    func benchmark() throws {
        let graph = try Monaco.pbfGraph.get()
        let result = TravelMatrixBenchmark.run(graph: graph, waypoints: 200, baselineRows: 20)
        print("Matrix benchmark (debug, 200 × 200): build \(result.buildSeconds) s, customize \(result.customizeSeconds) s, CH \(result.matrixSeconds) s, Dijkstra ≈ \(result.baselineFullSeconds) s")
        #expect(result.waypoints == 200 && result.baselineRows == 20)
        #expect(result.baselineAgrees)
        #expect(result.nodeCount == graph.nodeCount && result.arcCount >= graph.edgeCount / 2)
        #expect(result.buildSeconds > 0 && result.customizeSeconds > 0 && result.matrixSeconds > 0)
        #expect(result.baselineFullSeconds >= result.baselineSeconds)
    }
}
