import FleetAnomaly
import Foundation
import Testing

/// The real enviroCar tracks, read from `../shared/data/vehicle_health/envirocar_obd` beside the repository root.
@Suite struct AnomalyEvaluationTests {
    static let dataDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("../shared/data/vehicle_health/envirocar_obd").standardizedFileURL
    static let tracks = ["track_1.json", "track_2.json"].map { dataDirectory.appendingPathComponent($0) }

    @Test func loadsBothTracks() throws {
        let first = try OBDTrack(contentsOf: Self.tracks[0])
        let second = try OBDTrack(contentsOf: Self.tracks[1])
        #expect(first.timestamps.count == 368)
        #expect(second.timestamps.count == 269)
        #expect(zip(first.timestamps, first.timestamps.dropFirst()).allSatisfy { $0 < $1 })
        // The last point of each track lacks the OBD phenomena: NaN there, not a crash.
        #expect(first.values("Speed").filter(\.isNaN).count == 1)
        #expect(first.values("No Such Phenomenon").allSatisfy { $0.isNaN })
        #expect(first.drivingHours > 0.4 && first.drivingHours < 0.6)
    }

    @Test func malformedFilesFailClearly() {
        let cases: [(String, String)] = [
            ("not json", "not JSON"),
            (#"{"type":"Feature"}"#, "FeatureCollection"),
            (#"{"type":"FeatureCollection","features":[]}"#, "no features"),
            (#"{"type":"FeatureCollection","features":[{"properties":{"time":"yesterday"}}]}"#, "feature 0"),
        ]
        for (text, reason) in cases {
            do {
                _ = try OBDTrack(data: Data(text.utf8), name: "bad")
                Issue.record("\(text) loaded")
            } catch {
                #expect((error as? OBDTrack.LoadError)?.description.contains(reason) == true, "\(error)")
            }
        }
        #expect(throws: OBDTrack.LoadError.self) {
            try OBDTrack(contentsOf: Self.dataDirectory.appendingPathComponent("missing.json"))
        }
    }

    @Test func cleanDrivingDoesNotAlertOnTheCalibrationTrack() throws {
        let report = try AnomalyEvaluation.run(tracks: [Self.tracks[0]], seed: 1, replicates: 1)
        #expect(report.tracks[0].cleanFindings.values.reduce(0, +) == 0)
        #expect(report.falseAlarmsPerHour == 0)
    }

    @Test func evaluationReproducesTheDocumentedFigures() throws {
        let report = try AnomalyEvaluation.run(tracks: Self.tracks, seed: 42)
        let again = try AnomalyEvaluation.run(tracks: Self.tracks, seed: 42)
        #expect(report.lines == again.lines)
        for line in report.lines { print(line) }

        // Floors: the figures measured with seed 42 (docs/health-anomaly.md) minus a margin.
        let spike = report.overall(.spike), drift = report.overall(.drift), stuck = report.overall(.stuck)
        #expect(spike.events == 120 && drift.events == 120 && stuck.events == 100)
        #expect(spike.recall >= 0.80 && spike.precision >= 0.85)
        #expect(stuck.recall >= 0.85 && stuck.precision >= 0.95)
        #expect(drift.recall >= 0.08 && drift.precision >= 0.75)
        #expect(report.precision >= 0.90)
        #expect(report.recall >= 0.55)
        // Clean driving over both tracks (0.89 h): at most a few false alarms per vehicle-hour.
        #expect(report.falseAlarmsPerHour <= 2)
        let last = try #require(report.lines.last)
        #expect(last.hasPrefix("anomaly precision="))
        #expect(last.contains("recall=") && last.contains("false_alarms_per_hour="))
    }

    @Test func otherSeedsStayAboveTheFloors() throws {
        for seed: UInt64 in [7, 2024] {
            let report = try AnomalyEvaluation.run(tracks: Self.tracks, seed: seed, replicates: 5)
            #expect(report.overall(.spike).recall >= 0.75)
            #expect(report.overall(.stuck).recall >= 0.8)
            #expect(report.overall(.drift).detected >= 1)
        }
    }

    @Test func everyKindIsFlaggedOnEachRealTrack() throws {
        let report = try AnomalyEvaluation.run(tracks: Self.tracks, seed: 42, replicates: 3)
        for track in report.tracks {
            for kind in AnomalyKind.allCases {
                #expect((track.kinds[kind]?.detected ?? 0) > 0, "\(track.name) \(kind)")
            }
        }
    }
}
