import CoreMetrics
import Metrics

/// The service's metrics, created once. Labels are bounded: outcomes, reasons and actions from fixed sets.
struct AlertingMetrics: Sendable {
    /// `fleet_alerting_events_total{outcome}`: processed, rejected, failed.
    func event(_ outcome: String, _ count: Int = 1) {
        guard count > 0 else { return }
        Counter(label: "fleet_alerting_events_total", dimensions: [("outcome", outcome)]).increment(by: count)
    }
    /// `fleet_alerting_event_batch_size`: events applied together in one transaction.
    func eventBatch(_ size: Int) {
        Recorder(label: "fleet_alerting_event_batch_size", aggregate: true).record(size)
    }
    /// `fleet_alerting_events_rejected_total{reason}`: WireError kinds.
    func rejected(_ reason: String) {
        Counter(label: "fleet_alerting_events_rejected_total", dimensions: [("reason", reason)]).increment()
    }
    /// `fleet_alerting_alerts_total{action}`: fired, deduplicated, throttled, resolved, acknowledged, escalated.
    func alerts(_ action: String, _ count: Int = 1) {
        guard count > 0 else { return }
        Counter(label: "fleet_alerting_alerts_total", dimensions: [("action", action)]).increment(by: count)
    }
    /// `fleet_alerting_webhook_deliveries_total{outcome}`: delivered, failed, dead, refused, deferred.
    func delivery(_ outcome: String) {
        Counter(label: "fleet_alerting_webhook_deliveries_total", dimensions: [("outcome", outcome)]).increment()
    }
    /// `fleet_alerting_webhook_outcomes_recorded`: delivery outcomes written by one statement.
    func outcomesRecorded(_ count: Int) {
        Recorder(label: "fleet_alerting_webhook_outcomes_recorded", aggregate: true).record(count)
    }
    /// `fleet_alerting_webhook_delivery_latency_seconds`: outbox write → receiver's 2xx.
    func deliveryLatency(seconds: Double) {
        Metrics.Timer(label: "fleet_alerting_webhook_delivery_latency_seconds").recordNanoseconds(Int64(seconds * 1e9))
    }
    /// `fleet_alerting_invalid_requests_total{resource}`: API requests refused for bad input.
    func invalidRequest(_ resource: String) {
        Counter(label: "fleet_alerting_invalid_requests_total", dimensions: [("resource", resource)]).increment()
    }
    /// Outbox gauges: queue depth, dead letters, age of the oldest pending delivery, open circuits.
    func outbox(_ stats: OutboxStats, openCircuits: Int) {
        Gauge(label: "fleet_alerting_webhook_queue_depth").record(stats.pending)
        Gauge(label: "fleet_alerting_webhook_dead_letters").record(stats.dead)
        Gauge(label: "fleet_alerting_webhook_oldest_pending_seconds").record(stats.oldestPendingAge)
        Gauge(label: "fleet_alerting_webhook_circuits_open").record(openCircuits)
    }
}
