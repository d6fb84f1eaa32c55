import FleetReports
import FleetService
import Hummingbird

/// `GET /v1/report-data?from=&to=&limit=` (scope `fleet:read`): the alerts raised in `[from, to)` for fleet-tracking's
/// fleet reports, as ``ReportData`` with only `alerts` filled: type, severity, vehicle (none for platform alerts),
/// raise, acknowledge and resolve times in Unix milliseconds, by raise time then id. See ``ReportDataWindow`` for the query.
struct ReportDataController<Context: AuthenticatedRequestContext>: Sendable {
    let repository: any AlertReportRepository

    var endpoints: RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        routes.get(use: reportData)
        return routes
    }

    @Sendable func reportData(_ request: Request, context: Context) async throws -> Response {
        _ = try context.require(.fleetRead)
        let window = try ReportDataWindow(request: request)
        return try JSONResponse.response(.ok, try await repository.alertReport(for: window.period, limit: window.limit))
    }
}
