import CoreMetrics
import FleetHealthRules
import FleetService
import Metrics

/// fleet-health's metrics, made once; labels are bounded (stream, reason, event type, condition kind, cause), never a
/// vehicle id.
struct HealthMetrics: Sendable {
    /// Telemetry and state messages used.
    let accepted = CounterFamily("fleet_health_messages_total", labels: "stream", "outcome", "reason")
    private let acceptedTelemetry: Counter
    private let acceptedState: Counter
    /// Transitions the rules proposed and the store confirmed or found already recorded.
    let transitions = CounterFamily("fleet_health_transitions_total", labels: "condition", "change", "outcome")
    /// Events written to the outbox, by type.
    let events = CounterFamily("fleet_health_events_total", labels: "type")
    /// Failed database writes (retried).
    let storeFailures = CounterFamily("fleet_health_store_failures_total", labels: "operation")
    /// Vehicles in memory.
    let vehicles = Gauge(label: "fleet_health_vehicles")
    /// Vehicles forgotten from memory (idle or over the limit).
    let forgotten = Counter(label: "fleet_health_vehicles_forgotten_total")
    /// Consumer buffer fill.
    let consumerBuffer = Gauge(label: "fleet_health_consumer_buffer_messages")
    /// Active conditions by kind, open incidents by cause, and the fleet's MTBF/MTTR (refreshed by the statistics loop).
    let activeConditions: [HealthCondition.Kind: Gauge]
    let openIncidents: [IncidentCause: Gauge]
    let mtbf = Gauge(label: "fleet_health_mtbf_seconds")
    let mttr = Gauge(label: "fleet_health_mttr_seconds")
    let availability = Gauge(label: "fleet_health_availability_ratio")
    let failures = Gauge(label: "fleet_health_failures_window")

    init() {
        acceptedTelemetry = accepted.counter(["telemetry", "accepted", ""])
        acceptedState = accepted.counter(["state", "accepted", ""])
        activeConditions = Dictionary(
            uniqueKeysWithValues: HealthCondition.Kind.allCases.map { ($0, Gauge(label: "fleet_health_active_conditions", dimensions: [("kind", $0.rawValue)])) })
        openIncidents = Dictionary(
            uniqueKeysWithValues: IncidentCause.allCases.map { ($0, Gauge(label: "fleet_health_open_incidents", dimensions: [("cause", $0.rawValue)])) })
    }

    func telemetryAccepted() { acceptedTelemetry.increment() }
    func stateAccepted() { acceptedState.increment() }
    func rejected(stream: String, reason: String) { accepted.increment(stream, "rejected", reason) }
}
