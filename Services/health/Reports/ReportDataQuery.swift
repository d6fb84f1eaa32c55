import FleetReports
import FleetService
import Hummingbird

/// The parameters of `GET /v1/report-data`: the period `[from, to)` and the row limit.
///
/// `from` and `to` are required (epoch milliseconds or ISO 8601, as every time parameter of the suite), `from` before
/// `to`, at most ``maxDays`` apart and between 1970 and 2100 (PostgreSQL refuses timestamps far outside, which must be a
/// 400, not a 500). `limit` (default ``defaultLimit``, at most ``maxLimit``) bounds each kind of record.
struct ReportDataQuery: Sendable, Hashable {
    /// The longest period served: a quarter and a bit, so a report of any calendar quarter fits.
    static let maxDays: Int64 = 93
    static let defaultLimit = 200_000
    static let maxLimit = 500_000
    /// Accepted times, epoch milliseconds (1970 up to 2100).
    static let bounds: ClosedRange<Int64> = 0...4_102_444_800_000

    var period: ReportPeriod
    var limit: Int

    /// Parses and checks the query of `request`; a 400 naming the parameter otherwise.
    init(_ request: Request) throws {
        let from = try Self.time("from", of: request, role: "the period's start")
        let to = try Self.time("to", of: request, role: "the period's end")
        guard from < to else { throw Request.invalidQuery("from", "before 'to'") }
        // Both are within `bounds`, so the difference cannot overflow.
        guard to - from <= Self.maxDays * 86_400_000 else {
            throw Request.invalidQuery("to", "at most \(Self.maxDays) days after 'from'")
        }
        period = ReportPeriod(fromMillis: from, toMillis: to)
        limit = try request.limit(default: Self.defaultLimit, max: Self.maxLimit)
    }

    private static func time(_ name: String, of request: Request, role: String) throws -> Int64 {
        guard let millis = try request.timeMillis(name) else {
            throw Request.invalidQuery(name, "present: \(role), in milliseconds since the epoch or as an ISO 8601 time")
        }
        guard bounds.contains(millis) else { throw Request.invalidQuery(name, "a time between 1970 and 2100") }
        return millis
    }
}
