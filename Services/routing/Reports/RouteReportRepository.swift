import FleetReports

/// fleet-routing's reads for a fleet report (`GET /v1/report-data`), kept apart from ``PlanRepository`` (the live
/// service's storage) so neither grows for the other.
protocol RouteReportRepository: Sendable {
    /// The plans created in `[fromMillis, toMillis)` (their `created_at_ms`, as `GET /v1/routes/{id}` shows it), oldest
    /// first, then by id; at most `limit`. Each counted as ``RouteRecord/init(planID:createdMillis:vehicles:stops:)``
    /// counts it.
    func routeRecords(fromMillis: Int64, toMillis: Int64, limit: Int) async throws -> [RouteRecord]
}
