import CoreMetrics
import FleetService
import FleetTraffic
import Metrics

/// fleet-routing's metrics, made once; labels are bounded (stream, outcome, reason, disposition, event type, mode),
/// never a vehicle or plan id.
struct RoutingMetrics: Sendable {
    /// Telemetry and event messages by outcome (`accepted`, `rejected` with the validator's reason).
    let messages = CounterFamily("fleet_routing_messages_total", labels: "stream", "outcome", "reason")
    private let acceptedTelemetry: Counter
    private let acceptedEvents: Counter
    /// What became of accepted telemetry in the traffic model (`counted`, `unmatched`, `parked`, `not_driving`).
    let traffic = CounterFamily("fleet_routing_traffic_samples_total", labels: "disposition")
    /// The four counters of ``traffic``, made once: one is bumped per message.
    private let trafficCounted: Counter
    private let trafficUnmatched: Counter
    private let trafficParked: Counter
    private let trafficNotDriving: Counter
    /// Jam events written to the outbox.
    let jamEvents = CounterFamily("fleet_routing_jam_events_total", labels: "type")
    /// Segments currently jammed.
    let jammedSegments = Gauge(label: "fleet_routing_jammed_segments")
    /// Segments with a live speed observation.
    let observedSegments = Gauge(label: "fleet_routing_observed_segments")
    /// Travel-time refreshes from traffic, and how long each took.
    let trafficRefreshes = Counter(label: "fleet_routing_traffic_refreshes_total")
    let trafficRefreshSeconds = Timer(label: "fleet_routing_traffic_refresh_seconds")
    /// Plans by mode (`sync`, `async`) and outcome (`done`, `failed`).
    let plans = CounterFamily("fleet_routing_plans_total", labels: "mode", "outcome")
    /// Solve time of each plan.
    let solveSeconds = Timer(label: "fleet_routing_solve_seconds")
    /// Stops left out of plans, by reason.
    let unassigned = CounterFamily("fleet_routing_unassigned_stops_total", labels: "reason")
    /// Vehicles left out of plans, by reason.
    let excluded = CounterFamily("fleet_routing_excluded_vehicles_total", labels: "reason")
    /// Matrices answered and their size.
    let matrices = Counter(label: "fleet_routing_matrices_total")
    let matrixCells = Counter(label: "fleet_routing_matrix_cells_total")
    /// Jobs waiting.
    let queuedJobs = Gauge(label: "fleet_routing_queued_jobs")
    /// Dispatches by outcome (`sent`, `failed`), and stops reported done by vehicles.
    let dispatches = CounterFamily("fleet_routing_dispatches_total", labels: "outcome")
    let stopsReached = Counter(label: "fleet_routing_stops_reached_total")
    /// Failed database writes.
    let storeFailures = CounterFamily("fleet_routing_store_failures_total", labels: "operation")
    /// Vehicles with a known position.
    let vehicles = Gauge(label: "fleet_routing_vehicles")

    init() {
        acceptedTelemetry = messages.counter(["telemetry", "accepted", ""])
        acceptedEvents = messages.counter(["events", "accepted", ""])
        trafficCounted = traffic.counter(["counted"])
        trafficUnmatched = traffic.counter(["unmatched"])
        trafficParked = traffic.counter(["parked"])
        trafficNotDriving = traffic.counter(["not_driving"])
    }

    /// Counts what the traffic model did with one sample.
    func trafficSample(_ disposition: TrafficUpdate.Disposition) {
        switch disposition {
        case .counted: trafficCounted.increment()
        case .unmatched: trafficUnmatched.increment()
        case .parked: trafficParked.increment()
        case .notDriving: trafficNotDriving.increment()
        }
    }

    func telemetryAccepted() { acceptedTelemetry.increment() }
    func eventAccepted() { acceptedEvents.increment() }
    func rejected(stream: String, reason: String) { messages.increment(stream, "rejected", reason) }

    func recordPlan(_ plan: Plan, mode: String) {
        plans.increment(mode, plan.status.rawValue)
        for stop in plan.unassigned { unassigned.increment(stop.reason) }
        for vehicle in plan.excludedVehicles { excluded.increment(vehicle.reason) }
    }
}
