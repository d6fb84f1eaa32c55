extension IncidentRecord {
    /// Whether the incident was open at any time in `period`: opened before its end and not closed before its start.
    func isOpen(during period: ReportPeriod) -> Bool {
        openedMillis < period.toMillis && (closedMillis ?? Int64.max) > period.fromMillis
    }
}
