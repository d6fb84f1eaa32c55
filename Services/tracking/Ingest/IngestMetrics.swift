import FleetCore
import CoreMetrics
import FleetService
import Metrics

/// Tracking's ingest metrics, made once (one instance, in ``TrackingComponents``). Labels are bounded: source,
/// outcome, reason.
struct IngestMetrics: Sendable {
    private let messages = CounterFamily("fleet_tracking_messages_total", labels: "source", "outcome", "reason")

    /// `fleet_tracking_messages_total{source,outcome,reason}`.
    func count(_ source: IngestSource, outcome: String, reason: String = "", by amount: Int = 1) {
        messages.increment(source.rawValue, outcome, reason, by: amount)
    }

    func rejected(_ rejection: Rejection) {
        count(rejection.source, outcome: "rejected", reason: rejection.reason.rawValue)
    }

    /// Rows per database write.
    let batchSize = Recorder(label: "fleet_tracking_batch_size", aggregate: true)
    /// Duration of the store transaction.
    let commitDuration = Metrics.Timer(label: "fleet_tracking_commit_duration_seconds", preferredDisplayUnit: .seconds)
    /// Device time → committed, per accepted message.
    let commitLag = Metrics.Timer(label: "fleet_tracking_device_to_commit_lag_seconds", preferredDisplayUnit: .seconds)
    /// Failed store attempts (the batch is retried).
    let writeFailures = Counter(label: "fleet_tracking_write_failures_total")
    /// Messages waiting in the MQTT consumer buffer.
    let consumerBuffer = Gauge(label: "fleet_tracking_consumer_buffer_messages")
    /// Batches waiting for a writer.
    let queuedBatches = Gauge(label: "fleet_tracking_queued_batches")
    /// Committed-sequence acknowledgements published.
    let commitsPublished = Counter(label: "fleet_tracking_commits_published_total")
    /// Messages of the compact position stream published.
    let positionBatchesPublished = Counter(label: "fleet_tracking_position_batches_published_total")
    /// Messages of the commit stream published.
    let commitBatchesPublished = Counter(label: "fleet_tracking_commit_batches_published_total")
    /// Sequence gaps the watermark moved past after the gap timeout.
    let gapsSkipped = Counter(label: "fleet_tracking_sequence_gaps_skipped_total")
    /// Age of the stalest online vehicle's latest position, in seconds.
    let stalestOnline = Gauge(label: "fleet_tracking_stalest_online_vehicle_seconds")
    /// Connected live-stream clients.
    let liveClients = Gauge(label: "fleet_tracking_live_clients")

}
