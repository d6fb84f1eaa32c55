import ArgumentParser
import FleetTraffic
import Foundation

/// `fleet-routing traffic evaluate`: jam detection replayed on real loop-detector speeds.
struct TrafficCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "traffic", abstract: "Evaluate jam detection on recorded speeds.", subcommands: [Evaluate.self])

    struct Evaluate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "evaluate",
            abstract: "Replay Los Angeles loop-detector speeds (5-minute readings) through the jam detector and score it.",
            discussion: """
                Each sensor is a segment; its free flow is a high percentile of its own speeds. A slow-down (ground \
                truth, independent of the detector) is a run of readings below the jam ratio of free flow.
                  fleet-routing traffic evaluate --data ../shared/data/traffic
                """
        )

        @Option(help: "Folder with los_speed.csv.") var data = "../shared/data/traffic"

        func run() async throws {
            let result = try LosAngelesReplay.run(dataDirectory: URL(fileURLWithPath: data))
            emit("traffic evaluate: \(result.sensors) sensors × \(result.readingsPerSensor) readings (\(String(format: "%.1f", result.days)) days)")
            emit("slow-downs (ground truth):   \(result.slowDowns)  (+\(result.shortSlowDowns) shorter dips)")
            emit("jams flagged:                \(result.jamsFlagged)  (\(String(format: "%.1f", result.jamsPerDay)) per day)")
            emit("slow-downs detected:         \(result.slowDownsDetected)  (\(String(format: "%.1f", 100 * result.detectionRate)) %)")
            emit("false alarms:                \(result.falseAlarms)  (\(String(format: "%.1f", 100 * result.falseAlarmRate)) % of jams; \(result.falseAlarmsOnShortDips) on shorter dips)")
            emit("detection delay (minutes):   median \(result.medianDetectionDelayMinutes.map { String(format: "%.1f", $0) } ?? "-")  p90 \(result.p90DetectionDelayMinutes.map { String(format: "%.1f", $0) } ?? "-")")
            emit("jams open at the end:        \(result.jamsOpenAtEnd)")
        }
    }
}
