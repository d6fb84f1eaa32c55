import CoreMetrics
import FleetService
import Metrics

/// The service's metrics, made once (one instance, in ``AlertingComponents``). Labels are bounded: outcomes, reasons
/// and actions from fixed sets.
struct AlertingMetrics: Sendable {
    private let events = CounterFamily("fleet_alerting_events_total", labels: "outcome")
    private let eventBatches = Recorder(label: "fleet_alerting_event_batch_size", aggregate: true)
    private let rejections = CounterFamily("fleet_alerting_events_rejected_total", labels: "reason")
    private let alertActions = CounterFamily("fleet_alerting_alerts_total", labels: "action")
    private let deliveries = CounterFamily("fleet_alerting_webhook_deliveries_total", labels: "outcome")
    private let recorded = Recorder(label: "fleet_alerting_webhook_outcomes_recorded", aggregate: true)
    private let latency = Metrics.Timer(label: "fleet_alerting_webhook_delivery_latency_seconds")
    private let invalidRequests = CounterFamily("fleet_alerting_invalid_requests_total", labels: "resource")
    private let queueDepth = Gauge(label: "fleet_alerting_webhook_queue_depth")
    private let deadLetters = Gauge(label: "fleet_alerting_webhook_dead_letters")
    private let oldestPending = Gauge(label: "fleet_alerting_webhook_oldest_pending_seconds")
    private let circuitsOpen = Gauge(label: "fleet_alerting_webhook_circuits_open")
    private let platformAlerts = CounterFamily("fleet_alerting_platform_alerts_total", labels: "status", "outcome")
    private let reportMessageCount = Counter(label: "fleet_alerting_report_messages_total")
    private let purgedDeliveries = CounterFamily("fleet_alerting_deliveries_purged_total", labels: "status")

    init() {
        // Every series of a fixed label set from the start (see ``CounterFamily/makeAll(_:)``).
        platformAlerts.makeAll(["firing", "resolved"], ["accepted", "duplicate", "invalid"])
        events.makeAll(["processed", "duplicate", "rejected", "failed"])
        alertActions.makeAll(["fired", "deduplicated", "throttled", "resolved", "acknowledged", "escalated"])
        deliveries.makeAll(["delivered", "failed", "dead", "refused", "deferred"])
        purgedDeliveries.makeAll(DeliveryRetention.Status.allCases.map(\.rawValue))
    }

    /// `fleet_alerting_events_total{outcome}`: processed, duplicate (a republished event, dropped by id), rejected, failed.
    func event(_ outcome: String, _ count: Int = 1) {
        events.increment(outcome, by: count)
    }
    /// `fleet_alerting_event_batch_size`: events applied together in one transaction.
    func eventBatch(_ size: Int) {
        eventBatches.record(size)
    }
    /// `fleet_alerting_events_rejected_total{reason}`: WireError kinds.
    func rejected(_ reason: String) {
        rejections.increment(reason)
    }
    /// `fleet_alerting_alerts_total{action}`: fired, deduplicated, throttled, resolved, acknowledged, escalated.
    func alerts(_ action: String, _ count: Int = 1) {
        alertActions.increment(action, by: count)
    }
    /// The alert actions applying fleet events had: fired, deduplicated, throttled, resolved.
    func applied(_ outcome: EventOutcome) {
        alerts("fired", outcome.fired)
        alerts("deduplicated", outcome.deduplicated)
        alerts("throttled", outcome.throttled)
        alerts("resolved", outcome.resolved)
    }
    /// `fleet_alerting_webhook_deliveries_total{outcome}`: delivered, failed, dead, refused, deferred.
    func delivery(_ outcome: String) {
        deliveries.increment(outcome)
    }
    /// `fleet_alerting_webhook_outcomes_recorded`: delivery outcomes written by one statement.
    func outcomesRecorded(_ count: Int) {
        recorded.record(count)
    }
    /// `fleet_alerting_webhook_delivery_latency_seconds`: outbox write → receiver's 2xx.
    func deliveryLatency(seconds: Double) {
        latency.recordNanoseconds(Int64(seconds * 1e9))
    }
    /// `fleet_alerting_invalid_requests_total{resource}`: API requests refused for bad input.
    func invalidRequest(_ resource: String) {
        invalidRequests.increment(resource)
    }
    /// `fleet_alerting_platform_alerts_total{status,outcome}`: Alertmanager's alerts (status firing, resolved) taken
    /// (accepted), already applied (duplicate: a repeated notification) or refused (invalid).
    func platformAlert(status: String, outcome: String, _ count: Int = 1) {
        platformAlerts.increment(status, outcome, by: count)
    }
    /// `fleet_alerting_report_messages_total`: `report.ready` webhook messages queued (one per report and subscribed
    /// webhook; a republished `report_ready` event queues none).
    func reportMessages(_ count: Int) {
        guard count > 0 else { return }
        reportMessageCount.increment(by: count)
    }
    /// `fleet_alerting_deliveries_purged_total{status}`: delivered messages and dead letters deleted past their
    /// retention.
    func deliveriesPurged(_ status: DeliveryRetention.Status, _ count: Int) {
        purgedDeliveries.increment(status.rawValue, by: count)
    }
    /// Outbox gauges: queue depth, dead letters, age of the oldest pending delivery, open circuits.
    func outbox(_ stats: OutboxStats, openCircuits: Int) {
        queueDepth.record(stats.pending)
        deadLetters.record(stats.dead)
        oldestPending.record(stats.oldestPendingAge)
        circuitsOpen.record(openCircuits)
    }
}
