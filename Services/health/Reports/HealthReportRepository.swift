import FleetHealthRules

/// fleet-health's reads for a fleet report (`GET /v1/report-data`), kept apart from ``HealthRepository`` (the live
/// service's storage) so neither grows for the other.
protocol HealthReportRepository: Sendable {
    /// Incidents open at any time in `[fromMillis, toMillis)`: started before `toMillis` and not ended before
    /// `fromMillis`. Oldest first (start time, then id); at most `limit`.
    func reportIncidents(fromMillis: Int64, toMillis: Int64, limit: Int) async throws -> [Incident]
    /// Every vehicle first heard from before `toMillis`, with what is recorded now: its active conditions and its latest
    /// remaining-useful-life forecast. By vehicle id; at most `limit`.
    func reportVehicles(toMillis: Int64, limit: Int) async throws -> [ReportVehicle]
}

/// What a report needs of one vehicle's row.
struct ReportVehicle: Sendable, Hashable {
    var vehicleID: String
    /// The recorded active conditions and since when (epoch milliseconds).
    var active: [HealthCondition: Int64]
    /// The latest remaining-useful-life forecast, cycles, and when it was stored (epoch milliseconds).
    var rulCycles: Double?
    var rulAtMillis: Int64?
}
