import FleetCore
import Foundation

/// Many-to-many travel matrix measurement on a road network (nothing is printed).
public enum TravelMatrixBenchmark {
    /// Figures from one ``run(graph:waypoints:baselineRows:seed:)``.
    public struct Result: Hashable, Sendable {
        /// Graph nodes.
        public var nodeCount: Int
        /// Hierarchy arcs (street sections plus shortcuts).
        public var arcCount: Int
        /// Height of the hierarchy's elimination tree (the most nodes one search visits).
        public var eliminationTreeHeight: Int
        /// Waypoints (the matrix is `waypoints × waypoints`).
        public var waypoints: Int
        /// Time to build the hierarchy (order, topology and the first customization), seconds.
        public var buildSeconds: Double
        /// Time to re-weight the hierarchy with new travel times for every edge (one customization), seconds.
        public var customizeSeconds: Double
        /// Time to compute the full matrix with the hierarchy, seconds.
        public var matrixSeconds: Double
        /// Rows the Dijkstra baseline actually computed.
        public var baselineRows: Int
        /// Time for those rows, seconds.
        public var baselineSeconds: Double
        /// Baseline time scaled to all rows (`baselineSeconds × waypoints / baselineRows`), seconds.
        public var baselineFullSeconds: Double
        /// Whether the baseline's rows equal the hierarchy's exactly.
        public var baselineAgrees: Bool
    }

    /// Picks `waypoints` random waypoints (fixed `seed`) in the largest strongly connected component of `graph`,
    /// then times building the hierarchy, re-weighting it (every edge's time scaled by a random factor in 0.5…2, then
    /// back), the `waypoints × waypoints` matrix, and the Dijkstra baseline on the first `baselineRows` rows
    /// (extrapolated to all rows). One thread.
    public static func run(
        graph: RoadGraph, waypoints count: Int = 1_000, baselineRows: Int = 100, seed: UInt64 = 0x3A7_21C
    ) -> Result {
        let clock = ContinuousClock()
        let components = StronglyConnectedComponents(graph: graph)
        let index = EdgeSpatialIndex(graph: graph)
        var rng = SplitMix64(seed: seed)
        let nodes = components.largestComponentNodes
        var waypoints: [Waypoint] = []
        waypoints.reserveCapacity(count)
        while waypoints.count < count, let node = nodes.randomElement(using: &rng) {
            // A random point up to 200 m from a random node of the component.
            let origin = graph.coordinate(of: node)
            let point = GeoCoordinate(
                latitude: origin.latitude + Double.random(in: -0.0018...0.0018, using: &rng),
                longitude: origin.longitude + Double.random(in: -0.0025...0.0025, using: &rng))
            guard let waypoint = index.waypoint(near: point, in: components) else { break }
            waypoints.append(waypoint)
        }

        let buildStart = clock.now
        var hierarchy = ContractionHierarchy(graph: graph)
        let buildEnd = clock.now

        let original = graph.edgeTravelTimes
        let changed = original.map { $0 * Double.random(in: 0.5...2, using: &rng) }
        let customizeStart = clock.now
        hierarchy.customize(travelTimes: changed)
        hierarchy.customize(travelTimes: original)
        let customizeEnd = clock.now

        let matrixStart = clock.now
        let matrix = hierarchy.matrix(from: waypoints, to: waypoints)
        let matrixEnd = clock.now

        let rows = min(waypoints.count, max(0, baselineRows))
        let baselineStart = clock.now
        let baseline = TravelMatrix.dijkstra(graph: graph, from: Array(waypoints.prefix(rows)), to: waypoints)
        let baselineEnd = clock.now
        var agrees = true
        for row in 0..<rows {
            for column in 0..<waypoints.count where baseline.costs[row * waypoints.count + column]
                != matrix.costs[row * waypoints.count + column]
            {
                agrees = false
            }
        }

        let baselineSeconds = seconds(baselineEnd - baselineStart)
        return Result(
            nodeCount: graph.nodeCount, arcCount: hierarchy.arcCount,
            eliminationTreeHeight: hierarchy.eliminationTreeHeight, waypoints: waypoints.count,
            buildSeconds: seconds(buildEnd - buildStart), customizeSeconds: seconds(customizeEnd - customizeStart) / 2,
            matrixSeconds: seconds(matrixEnd - matrixStart), baselineRows: rows, baselineSeconds: baselineSeconds,
            baselineFullSeconds: rows == 0 ? 0 : baselineSeconds * Double(waypoints.count) / Double(rows),
            baselineAgrees: agrees)
    }

    private static func seconds(_ duration: Duration) -> Double {
        let parts = duration.components
        return Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
    }
}
