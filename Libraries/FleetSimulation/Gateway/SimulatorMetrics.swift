import CoreMetrics
import Metrics

/// The simulator's metrics (swift-metrics; exposed on `/metrics` by the service). Labels are bounded: never a vehicle id.
struct SimulatorMetrics: Sendable {
    let samples = Counter(label: "fleet_sim_telemetry_samples_total")
    let evicted = Counter(label: "fleet_sim_outbox_evicted_total")
    let resent = Counter(label: "fleet_sim_telemetry_resent_total")
    let outboxDepth = Gauge(label: "fleet_sim_outbox_depth")
    let commitsReceived = Counter(label: "fleet_sim_commits_received_total")
    let committedDropped = Counter(label: "fleet_sim_outbox_committed_total")
    let vehiclesOnline = Gauge(label: "fleet_sim_vehicles_online")
    let vehicles = Gauge(label: "fleet_sim_vehicles")
    let inFlight = Gauge(label: "fleet_sim_publishes_in_flight")
    let tickDuration = Timer(label: "fleet_sim_step_duration_seconds")
    let tickLag = Counter(label: "fleet_sim_steps_late_total")
    let published: [OutgoingMessage.Purpose: Counter]
    let publishFailures = Counter(label: "fleet_sim_publish_failures_total")
    let commands: [String: Counter]
    let invalid: [String: Counter]
    let faults: [FaultKind: Counter]

    init() {
        var published: [OutgoingMessage.Purpose: Counter] = [:]
        for purpose in [OutgoingMessage.Purpose.telemetry, .state, .ack, .fault] {
            published[purpose] = Counter(label: "fleet_sim_published_total", dimensions: [("kind", purpose.rawValue)])
        }
        self.published = published
        var commands: [String: Counter] = [:]
        for result in ["accepted", "completed", "rejected", "failed", "duplicate"] {
            commands[result] = Counter(label: "fleet_sim_commands_total", dimensions: [("result", result)])
        }
        self.commands = commands
        var invalid: [String: Counter] = [:]
        for channel in ["commands", "desired", "telemetry_committed", "commit_batch"] {
            invalid[channel] = Counter(label: "fleet_sim_invalid_messages_total", dimensions: [("channel", channel)])
        }
        self.invalid = invalid
        var faults: [FaultKind: Counter] = [:]
        for kind in FaultKind.allCases {
            faults[kind] = Counter(label: "fleet_sim_faults_total", dimensions: [("kind", kind.rawValue)])
        }
        self.faults = faults
    }
}
