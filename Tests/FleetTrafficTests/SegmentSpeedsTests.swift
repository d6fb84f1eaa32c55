import FleetGeo
import FleetTraffic
import Testing

@Suite("Segment speeds")
struct SegmentSpeedsTests {
    @Test("The smoothed speed converges to a new level with the time constant")
    func converges() throws {
        var speeds = SegmentSpeeds(freeFlowSpeeds: [20, 20])
        var t = 0.0
        for _ in 0..<300 {
            speeds.record(speedMetersPerSecond: 15, on: 0, atSeconds: t)
            t += 1
        }
        #expect(abs(try #require(speeds.observation(of: 0)).smoothedSpeed - 15) < 1e-9)
        var previous = 15.0
        var atOneTimeConstant = 0.0
        for step in 1...600 {
            let smoothed = speeds.record(speedMetersPerSecond: 5, on: 0, atSeconds: t)
            #expect(smoothed < previous)
            previous = smoothed
            if step == 120 { atOneTimeConstant = smoothed }
            t += 1
        }
        // After one time constant about 1/e of the old level is left; after five, nearly nothing.
        #expect(atOneTimeConstant > 5 + 10 * 0.3 && atOneTimeConstant < 5 + 10 * 0.45)
        let observation = try #require(speeds.observation(of: 0))
        #expect(abs(observation.smoothedSpeed - 5) < 0.1)
        #expect(observation.sampleCount == 900)
        #expect(abs(observation.speedRatio - 0.25) < 0.01)
        #expect(speeds.observation(of: 1) == nil)
    }

    @Test("Simultaneous samples average; the first after a stale gap starts afresh")
    func simultaneousAndRestart() throws {
        var speeds = SegmentSpeeds(freeFlowSpeeds: [20])
        speeds.record(speedMetersPerSecond: 10, on: 0, atSeconds: 100)
        #expect(speeds.record(speedMetersPerSecond: 20, on: 0, atSeconds: 100) == 15)
        #expect(speeds.record(speedMetersPerSecond: 3, on: 0, atSeconds: 100 + 900) == 3)
        #expect(try #require(speeds.observation(of: 0)).sampleCount == 1)
        // Invalid samples change nothing.
        #expect(speeds.record(speedMetersPerSecond: -.infinity, on: 0, atSeconds: 1_001) == 3)
        #expect(speeds.record(speedMetersPerSecond: .nan, on: 0, atSeconds: 1_001) == 3)
    }

    @Test("Effective speed: observed while fresh, blended back to free flow when stale, clamped")
    func decaysToFreeFlow() {
        var speeds = SegmentSpeeds(freeFlowSpeeds: [20, 10, 10])
        speeds.record(speedMetersPerSecond: 4, on: 0, atSeconds: 1_000)
        #expect(speeds.effectiveSpeed(of: 0, atSeconds: 1_000) == 4)
        #expect(speeds.effectiveSpeed(of: 0, atSeconds: 1_300) == 4)
        #expect(abs(speeds.effectiveSpeed(of: 0, atSeconds: 1_600) - 12) < 1e-9)
        #expect(speeds.effectiveSpeed(of: 0, atSeconds: 1_900) == 20)
        #expect(speeds.effectiveSpeed(of: 0, atSeconds: 100_000) == 20)
        // Never faster than 1.2 × free flow, never slower than 1 m/s, free flow without samples.
        speeds.record(speedMetersPerSecond: 30, on: 1, atSeconds: 1_000)
        #expect(speeds.effectiveSpeed(of: 1, atSeconds: 1_000) == 12)
        speeds.record(speedMetersPerSecond: 0, on: 2, atSeconds: 1_000)
        #expect(speeds.effectiveSpeed(of: 2, atSeconds: 1_000) == 1)
        var untouched = SegmentSpeeds(freeFlowSpeeds: [7])
        #expect(untouched.effectiveSpeed(of: 0, atSeconds: 0) == 7)
        untouched.record(speedMetersPerSecond: 7, on: 0, atSeconds: 0)
    }

    @Test("A slow-down changes the travel time of its edge only, and only while fresh")
    func travelTimes() throws {
        let graph = try SharedData.monaco.get()
        var speeds = SegmentSpeeds(graph: graph)
        let baseline = speeds.travelTimes(on: graph, atSeconds: 0)
        #expect(baseline.count == graph.edgeCount)
        for edge in 0..<graph.edgeCount { #expect(abs(baseline[edge] - graph.travelTime(of: edge)) < 1e-9) }

        let edge = try #require((0..<graph.edgeCount).first { graph.length(of: $0) > 100 && graph.reverseEdge(of: $0) != nil })
        for second in 0..<60 {
            speeds.record(speedMetersPerSecond: graph.speed(of: edge) / 4, on: edge, atSeconds: 10_000 + Double(second))
        }
        let jammed = speeds.travelTimes(on: graph, atSeconds: 10_060)
        #expect(abs(jammed[edge] - 4 * baseline[edge]) < 1e-6)
        let changed = (0..<graph.edgeCount).filter { jammed[$0] != baseline[$0] }
        #expect(changed == [edge])
        #expect(jammed.allSatisfy { $0.isFinite && $0 >= 0 })
        #expect(speeds.travelTimes(on: graph, atSeconds: 10_060 + 900) == baseline)
    }
}
