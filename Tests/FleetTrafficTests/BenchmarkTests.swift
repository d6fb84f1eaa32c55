import FleetGeo
import FleetTraffic
import Testing

@Suite("Traffic benchmark")
struct BenchmarkTests {
    @Test("The benchmark runs on Monaco and reports plausible figures (timings not asserted)")
    func runs() throws {
        let graph = try SharedData.monaco.get()
        let result = TrafficBenchmark.run(graph: graph, vehicles: 100, samples: 5_000)
        #expect(result.samples == 5_000)
        #expect(result.edgeCount == graph.edgeCount)
        #expect(result.matchedFraction > 0.8)
        #expect(result.correctEdgeFraction > 0.7)
        #expect(result.countedFraction > 0.7 && result.countedFraction <= result.matchedFraction)
        #expect(result.matchNanosecondsPerSample > 0 && result.observeNanosecondsPerSample > 0)
        #expect(result.stateBytes > 0)
    }
}
