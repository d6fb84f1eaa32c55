import FleetReports

/// The alerts of a period for fleet reports (`GET /v1/report-data`), apart from ``AlertRepository``: reports only read.
protocol AlertReportRepository: Sendable {
    /// Every alert raised in `period` (`[from, to)`), by raise time then id, at most `limit` of them, as report data:
    /// ``ReportData/alerts`` filled, ``ReportData/truncated`` set when more alerts were raised in the period.
    func alertReport(for period: ReportPeriod, limit: Int) async throws -> ReportData
}
