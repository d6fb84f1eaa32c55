import CoreMetrics
import FleetService
import Metrics

/// The archive's metrics, made once. Labels are bounded: operation and result.
struct ArchiveMetrics: Sendable {
    /// `fleet_tracking_archive_runs_total{operation,result}`: archive, drop, restore and read runs by result.
    let runs = CounterFamily("fleet_tracking_archive_runs_total", labels: "operation", "result")
    /// Rows written to object storage.
    let rowsArchived = Counter(label: "fleet_tracking_archive_rows_total")
    /// Compressed bytes written to object storage.
    let bytesArchived = Counter(label: "fleet_tracking_archive_bytes_total")
    /// Rows put back into the hot store.
    let rowsRestored = Counter(label: "fleet_tracking_archive_restored_rows_total")
    /// Duration of one day's archive (upload and verification).
    let archiveDuration = Metrics.Timer(label: "fleet_tracking_archive_duration_seconds", preferredDisplayUnit: .seconds)
    /// Time spent reading archived days for history requests.
    let readDuration = Metrics.Timer(label: "fleet_tracking_archive_read_duration_seconds", preferredDisplayUnit: .seconds)

    func count(_ operation: String, _ result: String) {
        runs.increment(operation, result)
    }
}
