import FleetHealthRules
import FleetReports
import FleetService
import Hummingbird

/// fleet-health's part of a fleet report (`fleet:read`).
///
/// `GET /v1/report-data?from=&to=&limit=`: ``ReportData`` with `incidents` (every incident open at any time in
/// `[from, to)`, oldest first) and `health` (every vehicle first heard from before `to`, with its current score,
/// maintenance due time and reason, by id); `limit` bounds each of the two lists, and `truncated` says one was cut.
struct HealthReportController<Repository: HealthReportRepository> {
    typealias Context = AppRequestContext

    let repository: Repository
    let faultCodes: FaultCodeTable
    let thresholds: HealthThresholds

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("report-data", use: reportData)
    }

    @Sendable func reportData(_ request: Request, context: Context) async throws -> Response {
        _ = try context.require(.fleetRead)
        let query = try ReportDataWindow(request: request)
        let period = query.period
        // One row more than the limit tells whether there were more.
        let incidents = try await repository.reportIncidents(fromMillis: period.fromMillis, toMillis: period.toMillis, limit: query.limit + 1)
        let vehicles = try await repository.reportVehicles(toMillis: period.toMillis, limit: query.limit + 1)
        let data = ReportData(
            period: period,
            incidents: incidents.prefix(query.limit).map { IncidentRecord($0, faultCodes: faultCodes) },
            health: vehicles.prefix(query.limit).map { VehicleHealthRecord($0, faultCodes: faultCodes, thresholds: thresholds) },
            truncated: incidents.count > query.limit || vehicles.count > query.limit)
        return try JSONResponse.response(.ok, data)
    }
}
