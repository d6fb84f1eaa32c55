import FleetService
import Prometheus

/// A snapshot of the process-wide Prometheus registry (``FleetMetrics/bootstrap()``), for tests that check a counter
/// moved: take one before, one after, and compare.
public struct MetricsProbe: Sendable {
    /// The exposition text at the time of the snapshot.
    public let text: String

    /// Snapshots `registry`.
    public init(_ registry: PrometheusCollectorRegistry) {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        text = String(decoding: buffer, as: UTF8.self)
    }

    /// The value of the sample of `metric` whose labels include every pair of `labels` (0 when there is none).
    public func value(_ metric: String, _ labels: [String: String]) -> Double {
        let line = text.split(separator: "\n").first { line in
            line.hasPrefix("\(metric){") && labels.allSatisfy { line.contains("\($0.key)=\"\($0.value)\"") }
        }
        return line.flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0
    }
}
