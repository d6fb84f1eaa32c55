import ArgumentParser
import FleetGeo
import Foundation

/// `fleet-routing bench matrix`: a many-to-many travel-time matrix on the road network by the contraction hierarchy,
/// against plain Dijkstra per row (the baseline), in the same run, one thread.
struct MatrixBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "matrix",
        abstract: "Time an N×N travel-time matrix (contraction hierarchy vs Dijkstra per row).",
        discussion: "  fleet-routing bench matrix --size 1000 --runs 3"
    )

    @Option(help: "OSM extract.") var map = "../shared/data/road_network/monaco.osm.pbf"
    @Option(help: "Points (the matrix is size × size).") var size = 1_000
    @Option(help: "Dijkstra rows timed (extrapolated to all rows when fewer).") var baselineRows = 1_000
    @Option(help: "Repetitions (each prints a row).") var runs = 3

    func validate() throws {
        guard size > 0, baselineRows > 0, runs > 0 else { throw ValidationError("--size, --baseline-rows and --runs must be positive.") }
    }

    func run() async throws {
        let loadStart = ContinuousClock.now
        let graph = try RoadGraph.load(contentsOf: URL(fileURLWithPath: map))
        emit("bench matrix: \(map): \(graph.nodeCount) nodes, \(graph.edgeCount) edges (loaded in \(ContinuousClock.now - loadStart))")
        emit("run  points  build_ms  reweight_ms  ch_matrix_ms  dijkstra_ms  speedup  agree")
        var matrices: [Double] = []
        for run in 1...runs {
            let result = TravelMatrixBenchmark.run(
                graph: graph, waypoints: size, baselineRows: min(baselineRows, size), seed: 0x3A7_21C &+ UInt64(run))
            matrices.append(result.matrixSeconds * 1_000)
            emit(
                String(
                    format: "%3d  %6d  %8.1f  %11.2f  %12.1f  %11.1f  %6.1fx  %@", run, result.waypoints, result.buildSeconds * 1_000,
                    result.customizeSeconds * 1_000, result.matrixSeconds * 1_000, result.baselineFullSeconds * 1_000,
                    result.baselineFullSeconds / max(result.matrixSeconds, 1e-9), result.baselineAgrees ? "yes" : "NO"))
        }
        emit(String(format: "matrix %dx%d ch_ms min=%.1f max=%.1f (target < 1000, aim 100)", size, size, matrices.min() ?? 0, matrices.max() ?? 0))
    }
}
