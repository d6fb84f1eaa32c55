import FleetReports
import Hummingbird

/// The query of `GET /v1/report-data` (every service that contributes to fleet reports): the period `[from, to)` and
/// the most records to return.
///
/// `from` and `to` are required, in milliseconds since the epoch or ISO 8601 (``Request/timeMillis(_:)``); the period
/// must not be empty or reversed and spans at most ``maxSpanMillis``. Anything else is a 400 that says what is wrong.
public struct ReportDataWindow: Sendable, Equatable {
    /// The longest period one request may cover: 93 days, a quarter (weekly and monthly reports fit with room to spare).
    public static let maxSpanMillis: Int64 = 93 * 86_400_000
    /// The latest time accepted, 9999-12-31T23:59:59.999Z. Times before 1970 are refused too: no record is that old,
    /// and the bounds keep `to - from` and the database's timestamps far from overflowing.
    public static let latestMillis: Int64 = 253_402_300_799_999
    /// Records returned when `limit` is absent.
    public static let defaultLimit = 200_000
    /// The highest `limit` accepted.
    public static let maxLimit = 500_000

    /// `[from, to)` in Unix milliseconds.
    public var period: ReportPeriod
    /// The most records to return (`?limit=`, default ``defaultLimit``, 1...``maxLimit``).
    public var limit: Int

    /// Reads `from`, `to` and `limit` from `request`.
    public init(request: Request) throws {
        let from = try Self.time("from", of: request)
        let to = try Self.time("to", of: request)
        guard from < to else { throw Request.invalidQuery("to", "after 'from' (the period is [from, to))") }
        guard to - from <= Self.maxSpanMillis else { throw Request.invalidQuery("to", "at most 93 days after 'from'") }
        period = ReportPeriod(fromMillis: from, toMillis: to)
        limit = try request.limit(default: Self.defaultLimit, max: Self.maxLimit)
    }

    private static func time(_ name: String, of request: Request) throws -> Int64 {
        guard let millis = try request.timeMillis(name) else {
            throw HTTPError(.badRequest, message: "query parameter '\(name)' is required (milliseconds since the epoch or an ISO 8601 time)")
        }
        guard (0...latestMillis).contains(millis) else {
            throw Request.invalidQuery(name, "a time from 1970-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z")
        }
        return millis
    }
}
