import CoreMetrics
import Metrics

/// fleet-control's metrics; labels are bounded enums, never vehicle or command ids.
struct ControlMetrics: Sendable {
    func commandsCreated(action: String, count: Int) {
        Counter(label: "fleet_control_commands_created_total", dimensions: [("action", action)]).increment(by: count)
    }

    func transition(_ status: CommandStatus, count: Int = 1) {
        Counter(label: "fleet_control_command_transitions_total", dimensions: [("status", status.rawValue)]).increment(by: count)
    }

    /// Messages from the broker that could not be used, by stream (`ack`, `state`, `telemetry`) and reason.
    func invalidMessage(stream: String, reason: String, count: Int = 1) {
        Counter(label: "fleet_control_invalid_messages_total", dimensions: [("stream", stream), ("reason", reason)]).increment(by: count)
    }

    func publishes(kind: String, outcome: String) {
        Counter(label: "fleet_control_publishes_total", dimensions: [("kind", kind), ("outcome", outcome)]).increment()
    }

    /// Statements run again because they conflicted with a concurrent one (deadlock or serialization failure).
    func storageRetry(stream: String) {
        Counter(label: "fleet_control_storage_retries_total", dimensions: [("stream", stream)]).increment()
    }

    func resends() {
        Counter(label: "fleet_control_command_resends_total").increment()
    }

    func authFailure(reason: String) {
        Counter(label: "fleet_control_auth_failures_total", dimensions: [("reason", reason)]).increment()
    }

    func rejectedRequest(reason: String) {
        Counter(label: "fleet_control_rejected_requests_total", dimensions: [("reason", reason)]).increment()
    }

    /// Seconds from command creation to the vehicle's first answer.
    func acknowledgementLatency(seconds: Double) {
        Timer(label: "fleet_control_ack_latency_seconds").recordSeconds(seconds)
    }
}
