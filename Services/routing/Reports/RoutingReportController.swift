import FleetReports
import FleetService
import Hummingbird

/// fleet-routing's part of a fleet report (`fleet:read`).
///
/// `GET /v1/report-data?from=&to=&limit=`: ``ReportData`` with `routes`: every plan created in `[from, to)`, oldest
/// first, with its vehicles, planned stops, and the stops served, on time and late (as
/// ``RouteRecord/init(planID:createdMillis:vehicles:stops:)`` counts them); at most `limit`, `truncated` when there
/// were more.
struct RoutingReportController<Repository: RouteReportRepository> {
    typealias Context = AppRequestContext

    let repository: Repository

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("report-data", use: reportData)
    }

    @Sendable func reportData(_ request: Request, context: Context) async throws -> Response {
        _ = try context.require(.fleetRead)
        let query = try ReportDataWindow(request: request)
        // One row more than the limit tells whether there were more.
        let routes = try await repository.routeRecords(fromMillis: query.period.fromMillis, toMillis: query.period.toMillis, limit: query.limit + 1)
        let data = ReportData(period: query.period, routes: Array(routes.prefix(query.limit)), truncated: routes.count > query.limit)
        return try JSONResponse.response(.ok, data)
    }
}
