import FleetCore
import Foundation

/// Road-network throughput measurement for `fleetctl bench` (nothing is printed).
public enum RoadGraphBenchmark {
    /// Figures from one ``run(contentsOf:routes:snaps:algorithm:seed:)``.
    public struct Result: Hashable, Sendable {
        /// Time to read and decode the OSM file, seconds.
        public var readSeconds: Double
        /// Time to build the graph from the extract, seconds.
        public var buildSeconds: Double
        /// Time to compute strongly connected components and the spatial index, seconds.
        public var indexSeconds: Double
        /// Graph nodes.
        public var nodeCount: Int
        /// Graph edges.
        public var edgeCount: Int
        /// Nodes in the largest strongly connected component.
        public var largestComponentNodeCount: Int
        /// Routes computed (all between random nodes of the largest component, so all succeed).
        public var routes: Int
        /// Routes per second.
        public var routesPerSecond: Double
        /// Mean nodes settled per route.
        public var averageSettledNodes: Double
        /// Nearest-edge queries per second (random points in the graph's bounding box).
        public var snapsPerSecond: Double
    }

    /// Loads the extract at `url`, then times `routes` random routes and `snaps` random snaps (fixed `seed`).
    public static func run(
        contentsOf url: URL, routes: Int = 1_000, snaps: Int = 10_000, algorithm: SearchAlgorithm = .dijkstra,
        seed: UInt64 = 0x5EED_6E0
    ) throws(OSMError) -> Result {
        let clock = ContinuousClock()
        let readStart = clock.now
        let extract = try OSMExtract.read(contentsOf: url)
        let buildStart = clock.now
        let graph = RoadGraph(extract: extract)
        let indexStart = clock.now
        let components = StronglyConnectedComponents(graph: graph)
        let index = EdgeSpatialIndex(graph: graph)
        let indexEnd = clock.now

        var rng = SplitMix64(seed: seed)
        var planner = RoutePlanner(graph: graph)
        let routeCount = components.largestComponentNodes.isEmpty ? 0 : max(1, routes)
        var settled = 0
        var checksum = 0.0
        let routeStart = clock.now
        for _ in 0..<routeCount {
            guard let origin = components.randomNodeInLargestComponent(using: &rng),
                let destination = components.randomNodeInLargestComponent(using: &rng)
            else { break }
            checksum += planner.route(from: origin, to: destination, algorithm: algorithm)?.travelTime ?? 0
            settled += planner.settledNodeCount
        }
        let routeTime = clock.now - routeStart

        let box = boundingBox(of: graph)
        let snapCount = graph.edgeCount == 0 ? 0 : max(1, snaps)
        let snapStart = clock.now
        for _ in 0..<snapCount {
            let query = GeoCoordinate(
                latitude: Double.random(in: box.latitudes, using: &rng),
                longitude: Double.random(in: box.longitudes, using: &rng))
            checksum += index.nearest(to: query)?.distance ?? 0
        }
        let snapTime = clock.now - snapStart
        blackHole(checksum)

        return Result(
            readSeconds: seconds(buildStart - readStart), buildSeconds: seconds(indexStart - buildStart),
            indexSeconds: seconds(indexEnd - indexStart), nodeCount: graph.nodeCount, edgeCount: graph.edgeCount,
            largestComponentNodeCount: components.largestComponentNodes.count, routes: routeCount,
            routesPerSecond: Double(routeCount) / max(seconds(routeTime), 1e-9),
            averageSettledNodes: routeCount == 0 ? 0 : Double(settled) / Double(routeCount),
            snapsPerSecond: Double(snapCount) / max(seconds(snapTime), 1e-9))
    }

    private static func boundingBox(of graph: RoadGraph) -> (latitudes: ClosedRange<Double>, longitudes: ClosedRange<Double>) {
        let nodes = (0..<graph.nodeCount).map(graph.coordinate(of:))
        let latitudes = nodes.map(\.latitude)
        let longitudes = nodes.map(\.longitude)
        return ((latitudes.min() ?? 0)...(latitudes.max() ?? 0), (longitudes.min() ?? 0)...(longitudes.max() ?? 0))
    }

    private static func seconds(_ duration: Duration) -> Double {
        let parts = duration.components
        return Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
    }

    @inline(never)
    private static func blackHole(_ value: Double) {
        withExtendedLifetime(value) {}
    }
}
