import FleetGeo
import Testing

@Suite("Benchmark entry point")
struct BenchmarkTests {
    @Test("RoadGraphBenchmark runs on Monaco and reports consistent figures")
    func monaco() throws {
        let result = try RoadGraphBenchmark.run(contentsOf: Monaco.pbfURL, routes: 50, snaps: 500)
        let graph = try Monaco.pbfGraph.get()
        print("Benchmark (debug): read \(result.readSeconds) s, build \(result.buildSeconds) s, index \(result.indexSeconds) s, \(result.routesPerSecond) routes/s (\(result.averageSettledNodes) settled), \(result.snapsPerSecond) snaps/s")
        #expect(result.nodeCount == graph.nodeCount && result.edgeCount == graph.edgeCount)
        #expect(result.routes == 50)
        #expect(result.routesPerSecond > 0 && result.snapsPerSecond > 0)
        #expect(result.largestComponentNodeCount > 0)
    }
}
