import FleetAnomaly
import FleetCore
import FleetHealthRules
import Foundation
import Testing

/// The per-signal anomaly rule on a real drive (enviroCar track 1, the detector's calibration track): plain driving
/// raises nothing; an injected rpm spike and a stuck speed sensor are each flagged once, with score and expected range.
@Suite("Anomaly rule on real OBD-II driving")
struct AnomalyRulesTests {
    static let track = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/data/vehicle_health/envirocar_obd/track_1.json")

    /// Replays the track as telemetry (speed km/h → m/s, rpm), applying `change` to each sample index first.
    func replay(_ change: (Int, inout Double, inout Double) -> Void = { _, _, _ in }) throws -> Stream {
        let track = try OBDTrack(contentsOf: Self.track)
        let speeds = track.values("Speed")
        let rpms = track.values("Rpm")
        var stream = Stream(anomalies: true)
        for index in speeds.indices where speeds[index].isFinite && rpms[index].isFinite {
            var speed = speeds[index] / 3.6
            var rpm = rpms[index]
            change(index, &speed, &rpm)
            stream.send(speed: speed, rpm: rpm, advance: 5_000)
        }
        return stream
    }

    @Test("plain driving raises no anomaly")
    func plainDriving() throws {
        let stream = try replay()
        #expect(stream.recorded.filter { $0.eventType == .anomaly }.isEmpty, "\(stream.history)")
    }

    @Test("an injected rpm spike is flagged on rpm with its score and expected range")
    func rpmSpike() throws {
        let stream = try replay { index, _, rpm in if index == 200 { rpm *= 3 } }
        let anomalies = stream.recorded.filter { $0.eventType == .anomaly }
        #expect(anomalies.count == 1, "\(stream.history)")
        let anomaly = try #require(anomalies.first)
        #expect(anomaly.attributes["signal"] == "rpm")
        #expect(anomaly.attributes["kind"] == "spike")
        let score = try #require(anomaly.attributes["score"].flatMap(Double.init))
        #expect(score >= 1)
        let low = try #require(anomaly.attributes["expected_min"].flatMap(Double.init))
        let high = try #require(anomaly.attributes["expected_max"].flatMap(Double.init))
        let value = try #require(anomaly.attributes["value"].flatMap(Double.init))
        #expect(low < high)
        #expect(!(low...high).contains(value) || anomaly.attributes["kind"] != "spike")
    }

    @Test("a speed sensor stuck while the engine keeps turning is flagged as stuck")
    func stuckSpeed() throws {
        var frozen: Double?
        let stream = try replay { index, speed, _ in
            if index == 150 { frozen = speed }
            if index >= 150, index < 200, let frozen, frozen > 1 { speed = frozen }
        }
        let stuck = stream.recorded.filter { $0.eventType == .anomaly && $0.attributes["kind"] == "stuck" }
        #expect(stuck.count >= 1, "\(stream.history)")
        #expect(stuck.allSatisfy { $0.attributes["signal"] == "speed_mps" })
    }
}
