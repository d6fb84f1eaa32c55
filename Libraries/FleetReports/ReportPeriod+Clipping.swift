extension ReportPeriod {
    /// Length in milliseconds (0 for an empty or reversed period).
    var lengthMillis: Int64 { max(0, toMillis - fromMillis) }

    /// Whether `millis` is in `[from, to)`.
    func contains(_ millis: Int64) -> Bool { millis >= fromMillis && millis < toMillis }

    /// The part of `[start, end)` inside the period, in milliseconds.
    func overlapMillis(start: Int64, end: Int64) -> Int64 {
        max(0, min(end, toMillis) - max(start, fromMillis))
    }
}
