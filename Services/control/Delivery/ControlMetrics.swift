import CoreMetrics
import FleetService
import Metrics

/// fleet-control's metrics, made once; labels are bounded enums, never vehicle or command ids.
struct ControlMetrics: Sendable {
    private let created = CounterFamily("fleet_control_commands_created_total", labels: "action")
    private let transitions = CounterFamily("fleet_control_command_transitions_total", labels: "status")
    private let invalid = CounterFamily("fleet_control_invalid_messages_total", labels: "stream", "reason")
    private let publishCounts = CounterFamily("fleet_control_publishes_total", labels: "kind", "outcome")
    private let retries = CounterFamily("fleet_control_storage_retries_total", labels: "stream")
    private let resendCount = Counter(label: "fleet_control_command_resends_total")
    private let rejected = CounterFamily("fleet_control_rejected_requests_total", labels: "reason")
    private let ackLatency = Metrics.Timer(label: "fleet_control_ack_latency_seconds")
    private let purged = Counter(label: "fleet_control_commands_purged_total")

    /// Every stream and reason of ``invalidMessage(stream:reason:count:)``.
    static let invalidMessageReasons: [(stream: String, reasons: [String])] = [
        ("telemetry", ["decode"]), ("state", ["topic", "decode", "vehicle_mismatch", "storage"]),
        ("ack", ["topic", "decode", "vehicle_mismatch", "storage", "stale", "unknown_command"]),
    ]

    init() {
        // Made at 0 from the start: a dashboard or alert on vehicles' bad messages sees 0, not nothing, until the first.
        for (stream, reasons) in Self.invalidMessageReasons { invalid.makeAll([stream], reasons) }
    }

    func commandsCreated(action: String, count: Int) {
        created.increment(action, by: count)
    }

    func transition(_ status: CommandStatus, count: Int = 1) {
        transitions.increment(status.rawValue, by: count)
    }

    /// Messages from the broker that could not be used, by stream (`ack`, `state`, `telemetry`) and reason.
    func invalidMessage(stream: String, reason: String, count: Int = 1) {
        invalid.increment(stream, reason, by: count)
    }

    func publishes(kind: String, outcome: String) {
        publishCounts.increment(kind, outcome)
    }

    /// Statements run again because they conflicted with a concurrent one (deadlock or serialization failure).
    func storageRetry(stream: String) {
        retries.increment(stream)
    }

    func resends() {
        resendCount.increment()
    }

    func rejectedRequest(reason: String) {
        rejected.increment(reason)
    }

    /// Finished commands deleted with their transitions once past the history retention.
    func commandsPurged(_ count: Int) {
        guard count > 0 else { return }
        purged.increment(by: count)
    }

    /// Seconds from command creation to the vehicle's first answer.
    func acknowledgementLatency(seconds: Double) {
        ackLatency.recordSeconds(seconds)
    }
}
