import FleetReports
import Foundation

/// ISO weeks (Monday 00:00 UTC to the next Monday), for the weekly report.
enum ReportSchedule {
    static let weekMillis: Int64 = 7 * 86_400_000

    /// The last complete ISO week before `millis`.
    static func lastCompleteWeek(before millis: Int64) -> ReportPeriod {
        // 1970-01-01 was a Thursday: Mondays are 4 days after a multiple of 7 days, counted from 1969-12-29.
        let mondayOffset: Int64 = -3 * 86_400_000
        let sinceMonday = (millis - mondayOffset) % weekMillis
        let thisMonday = millis - (sinceMonday >= 0 ? sinceMonday : sinceMonday + weekMillis)
        return ReportPeriod(fromMillis: thisMonday - weekMillis, toMillis: thisMonday)
    }
}
