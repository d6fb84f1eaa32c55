import FleetGeo
import FleetTraffic
import Testing

@Suite("Jam detection")
struct JamDetectorTests {
    /// Feeds `ratio(t)` × free flow (10 m/s) every `step` seconds over `range`, returning the events.
    private func feed(
        _ detector: inout JamDetector, _ range: StrideThrough<Double>, segment: Int = 0, ratio: (Double) -> Double
    ) -> [JamEvent] {
        range.compactMap { t in
            detector.observe(segment: segment, smoothedSpeed: 10 * ratio(t), freeFlowSpeed: 10, atSeconds: t)
        }
    }

    @Test("A jam starts once, after the entering duration and not before")
    func entersOnce() throws {
        var detector = JamDetector(segmentCount: 2)
        #expect(feed(&detector, stride(from: 0, through: 170, by: 10)) { _ in 0.2 }.isEmpty)
        #expect(!detector.isJammed(0))
        let events = feed(&detector, stride(from: 180, through: 3_600, by: 10)) { _ in 0.2 }
        #expect(events.count == 1)
        let started = try #require(events.first)
        #expect(started.kind == .started)
        #expect(started.atSeconds == 180)
        #expect(started.sinceSeconds == 0)
        #expect(started.segment == 0)
        #expect(abs(started.speedRatio - 0.2) < 1e-9)
        #expect(detector.isJammed(0) && !detector.isJammed(1))
        #expect(detector.jammedSegments == [0])
    }

    @Test("Short slow spells, too few samples and long gaps do not start a jam")
    func doesNotEnterEarly() {
        var detector = JamDetector(segmentCount: 1)
        // 170 s slow, then one normal sample: the run restarts.
        #expect(feed(&detector, stride(from: 0, through: 170, by: 10)) { _ in 0.2 }.isEmpty)
        #expect(detector.observe(segment: 0, smoothedSpeed: 8, freeFlowSpeed: 10, atSeconds: 175) == nil)
        #expect(feed(&detector, stride(from: 180, through: 350, by: 10)) { _ in 0.2 }.isEmpty)
        // Two samples 200 s apart are too few; the third starts it.
        var sparse = JamDetector(segmentCount: 1)
        #expect(sparse.observe(segment: 0, smoothedSpeed: 1, freeFlowSpeed: 10, atSeconds: 0) == nil)
        #expect(sparse.observe(segment: 0, smoothedSpeed: 1, freeFlowSpeed: 10, atSeconds: 200) == nil)
        #expect(sparse.observe(segment: 0, smoothedSpeed: 1, freeFlowSpeed: 10, atSeconds: 210)?.kind == .started)
        // Samples more than 10 min apart are not one continuous run.
        var gappy = JamDetector(segmentCount: 1)
        #expect(feed(&gappy, stride(from: 0, through: 6_000, by: 700)) { _ in 0.1 }.isEmpty)
    }

    @Test("Hysteresis: oscillating around either threshold neither flaps nor clears; recovery clears once")
    func clearsOnceWithHysteresis() throws {
        var detector = JamDetector(segmentCount: 1)
        #expect(feed(&detector, stride(from: 0, through: 300, by: 10)) { _ in 0.2 }.count == 1)
        // Around the entering threshold (35 % / 45 %) for half an hour: still one jam.
        #expect(feed(&detector, stride(from: 310, through: 2_110, by: 10)) { t in Int(t / 10) % 2 == 0 ? 0.35 : 0.45 }.isEmpty)
        // Around the clearing threshold, never above it for 2 minutes on end.
        #expect(feed(&detector, stride(from: 2_120, through: 3_920, by: 10)) { t in Int(t / 60) % 2 == 0 ? 0.65 : 0.55 }.isEmpty)
        #expect(detector.isJammed(0))
        // Recovered for 2 minutes: cleared, once.
        let events = feed(&detector, stride(from: 3_960, through: 7_200, by: 10)) { _ in 0.8 }
        #expect(events.count == 1)
        let cleared = try #require(events.first)
        #expect(cleared.kind == .cleared && cleared.clearReason == .recovered)
        #expect(cleared.atSeconds == 3_960 + 120)
        #expect(cleared.sinceSeconds == 0)
        #expect(!detector.isJammed(0) && detector.jammedSegments.isEmpty)
        // A speed hovering around the entering threshold from the free state never starts one.
        var hovering = JamDetector(segmentCount: 1)
        #expect(feed(&hovering, stride(from: 0, through: 3_600, by: 10)) { t in Int(t / 10) % 2 == 0 ? 0.38 : 0.42 }.isEmpty)
    }

    @Test("A jam nobody reports on any more clears after the silence, once")
    func silenceClears() throws {
        var detector = JamDetector(segmentCount: 3)
        _ = feed(&detector, stride(from: 0, through: 200, by: 10), segment: 1) { _ in 0.1 }
        _ = feed(&detector, stride(from: 0, through: 200, by: 10), segment: 2) { _ in 0.1 }
        _ = feed(&detector, stride(from: 210, through: 600, by: 10), segment: 2) { _ in 0.1 }
        #expect(detector.jammedSegments.sorted() == [1, 2])
        #expect(detector.sweep(atSeconds: 200 + 899).isEmpty)
        let events = detector.sweep(atSeconds: 200 + 900)
        #expect(events.map(\.segment) == [1])
        let cleared = try #require(events.first)
        #expect(cleared.clearReason == .silence && cleared.atSeconds == 1_100 && cleared.freeFlowSpeed == 10)
        #expect(detector.sweep(atSeconds: 5_000).map(\.segment) == [2])
        #expect(detector.sweep(atSeconds: 10_000).isEmpty)
        // A late sample on a silent jam clears it first (when no sweep ran), and starts a fresh run.
        var late = JamDetector(segmentCount: 1)
        _ = feed(&late, stride(from: 0, through: 200, by: 10)) { _ in 0.1 }
        let event = late.observe(segment: 0, smoothedSpeed: 1, freeFlowSpeed: 10, atSeconds: 5_000)
        #expect(event?.kind == .cleared && event?.clearReason == .silence)
        #expect(!late.isJammed(0))
    }
}
