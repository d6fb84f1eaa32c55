import FleetReports
import FleetService
import Hummingbird

/// `GET /v1/report-data?from=&to=&limit=` (fleet:read): the commands issued in `[from, to)` for fleet-tracking's fleet
/// reports, as ``ReportData`` with only `commands` filled: vehicle, action, outcome, issue and answer times in Unix
/// milliseconds, by issue time then id (outcomes: ``CommandReportRepository``; the query: ``ReportDataWindow``).
struct ReportDataController<Commands: CommandReportRepository> {
    typealias Context = AppRequestContext

    let commands: Commands

    /// Routes relative to `/v1`.
    func addRoutes(to group: RouterGroup<Context>) {
        group.get("report-data", use: reportData)
    }

    @Sendable func reportData(_ request: Request, context: Context) async throws -> Response {
        _ = try context.require(.fleetRead)
        let window = try ReportDataWindow(request: request)
        return try JSONResponse.response(.ok, try await commands.commandReport(for: window.period, limit: window.limit))
    }
}
