import FleetReports

/// The commands of a period for fleet reports (`GET /v1/report-data`), apart from ``CommandRepository``: reports only
/// read.
protocol CommandReportRepository: Sendable {
    /// Every command issued in `period` (`[from, to)`), by issue time then id, at most `limit` of them, as report data:
    /// ``ReportData/commands`` filled, ``ReportData/truncated`` set when more commands were issued in the period.
    ///
    /// Outcomes: `acknowledged` (the vehicle accepted it; also when it then reported it `completed`), `rejected`,
    /// `failed` (the vehicle tried and failed), `expired` (its time-to-live passed with no answer, including a command
    /// still `pending`/`sent` past its expiry that the scanner has not marked yet) and `pending` (still waiting, within
    /// its time-to-live). The answer time is when the vehicle's first answer (accepted, rejected, completed or failed)
    /// was recorded.
    func commandReport(for period: ReportPeriod, limit: Int) async throws -> ReportData
}
