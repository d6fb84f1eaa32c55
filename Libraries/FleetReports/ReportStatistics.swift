/// The statistics the report's figures use.
///
/// Percentiles are nearest-rank: the p-th percentile of n sorted values is the value at rank ⌈p × n / 100⌉ (at least
/// 1), always one of the values, never interpolated; the median is the 50th percentile, so the lower of the two middle
/// values for an even count. That is what PostgreSQL's `percentile_disc(p / 100.0)` returns, so figures can be checked
/// against the database directly.
enum ReportStatistics {
    /// The nearest-rank `percent`-th percentile of `sorted` (ascending); nil for no values.
    static func percentile<Value>(_ sorted: [Value], _ percent: Int) -> Value? {
        guard !sorted.isEmpty else { return nil }
        // Integer arithmetic: ⌈percent × n / 100⌉ without floating-point rounding.
        let rank = min(sorted.count, max(1, (percent * sorted.count + 99) / 100))
        return sorted[rank - 1]
    }

    /// The mean of millisecond durations, in seconds; nil for no values.
    static func meanSeconds(millis: [Int64]) -> Double? {
        guard !millis.isEmpty else { return nil }
        return Double(millis.reduce(0, +)) / Double(millis.count) / 1000
    }

    /// `numerator / denominator`, nil when the denominator is not positive.
    static func ratio(_ numerator: Double, _ denominator: Double) -> Double? {
        denominator > 0 ? numerator / denominator : nil
    }
}
