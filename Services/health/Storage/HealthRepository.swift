import FleetCore
import FleetHealthRules

/// fleet-health's storage: recorded conditions decided transactionally (so replicas and restarts emit each transition
/// once), incidents, last-seen times and forecasts.
protocol HealthRepository: Sendable {
    /// Records `transitions` (any vehicles, in order per vehicle): each is confirmed only if it changes what is
    /// recorded; incidents open and close with the causes; the events of the confirmed ones go to the outbox in the
    /// same transaction. Returns the confirmed transitions and, per vehicle, what is recorded as active afterwards.
    func apply(_ transitions: [HealthTransition], tags: [String: [String]]) async throws -> AppliedTransitions
    /// Every vehicle with something recorded as active, with its last-seen time (start-up).
    func loadActive() async throws -> [(vehicleID: String, active: [HealthCondition: Int64], lastSeenMillis: Int64?)]
    /// Stores last-seen times and levels (newer times win).
    func flush(_ seen: [SeenVehicle]) async throws
    /// Online vehicles not heard from since `beforeMillis` that are not yet recorded silent.
    func silenceCandidates(beforeMillis: Int64, limit: Int) async throws -> [(vehicleID: String, active: [HealthCondition: Int64], lastSeenMillis: Int64)]
    /// Vehicles recorded silent that were heard from after their silence began (by any replica).
    func recoveredFromSilence(limit: Int) async throws -> [(vehicleID: String, active: [HealthCondition: Int64], lastSeenMillis: Int64)]
    /// Stores the forecasts the flushed vehicles carry (vehicles without any are skipped).
    func storeForecasts(_ seen: [SeenVehicle]) async throws
    /// One vehicle's row.
    func vehicle(_ id: String) async throws -> VehicleHealthRow?
    /// Every row with something active (for the fleet overview), and the number of vehicles known.
    func vehiclesWithConditions() async throws -> (rows: [VehicleHealthRow], total: Int)
    /// Vehicles with a forecast, soonest maintenance first.
    func forecasts(afterRUL: (cycles: Double, id: String)?, limit: Int) async throws -> [VehicleHealthRow]
    /// Incidents, newest first.
    func incidents(_ query: IncidentQuery) async throws -> [Incident]
    /// Incidents overlapping `[fromMillis, toMillis)` and the first-seen times of the vehicles concerned (one vehicle
    /// or the fleet), for MTBF and MTTR.
    func downtime(vehicleID: String?, fromMillis: Int64, toMillis: Int64) async throws -> DowntimeStatistics
    /// Open incidents per cause.
    func openIncidentCounts() async throws -> [IncidentCause: Int]
}

/// What ``HealthRepository/apply(_:tags:)`` recorded.
struct AppliedTransitions: Sendable {
    /// The transitions that changed the record (their events are in the outbox).
    var confirmed: [HealthTransition] = []
    /// Each vehicle's recorded conditions after the transaction.
    var active: [VehicleID: [HealthCondition: Int64]] = [:]
}
