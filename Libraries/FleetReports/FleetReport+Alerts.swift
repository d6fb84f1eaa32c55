extension FleetReport {
    /// Alerts of one type (or of every type) and how fast they were acknowledged.
    ///
    /// Everything is as of the period's end: an alert counts as acknowledged when it was acknowledged before the end,
    /// otherwise as unacknowledged at the end. Time to acknowledge is acknowledgement minus raise, in seconds, over the
    /// alerts acknowledged before the end; mean, median and 90th percentile are nil when none was. Percentiles are
    /// nearest-rank (the value at rank ⌈p × n / 100⌉ of the n sorted times; the median is the lower middle value for an
    /// even count), as PostgreSQL's `percentile_disc` computes them.
    public struct AlertTypeRow: Sendable, Codable, Hashable {
        /// The fleet event type that raised them; nil for the row over every type.
        public var type: String?
        /// Alerts raised in the period.
        public var alerts: Int
        /// Acknowledged before the period's end.
        public var acknowledged: Int
        /// Not acknowledged by the period's end.
        public var unacknowledgedAtEnd: Int
        /// Mean time to acknowledge, seconds.
        public var ackMeanSeconds: Double?
        /// Median time to acknowledge (nearest-rank), seconds.
        public var ackMedianSeconds: Double?
        /// 90th percentile of the time to acknowledge (nearest-rank), seconds.
        public var ackP90Seconds: Double?

        /// The type, or ``FleetReport/allLabel``.
        public var label: String { type ?? FleetReport.allLabel }

        init(type: String?, records: [AlertRecord], period: ReportPeriod) {
            self.type = type
            alerts = records.count
            let times = records.compactMap { record -> Int64? in
                guard let acknowledged = record.acknowledgedMillis, acknowledged < period.toMillis else { return nil }
                return max(0, acknowledged - record.raisedMillis)
            }.sorted()
            acknowledged = times.count
            unacknowledgedAtEnd = records.count - times.count
            ackMeanSeconds = ReportStatistics.meanSeconds(millis: times)
            ackMedianSeconds = ReportStatistics.percentile(times, 50).map { Double($0) / 1000 }
            ackP90Seconds = ReportStatistics.percentile(times, 90).map { Double($0) / 1000 }
        }

        enum CodingKeys: String, CodingKey {
            case type, alerts, acknowledged
            case unacknowledgedAtEnd = "unacknowledged_at_end"
            case ackMeanSeconds = "ack_mean_s"
            case ackMedianSeconds = "ack_median_s"
            case ackP90Seconds = "ack_p90_s"
        }
    }

    /// Alerts by type.
    public struct AlertSummary: Sendable, Codable, Hashable {
        /// One row per type, by type.
        public var byType: [AlertTypeRow]
        /// Every alert.
        public var all: AlertTypeRow
        /// Platform alerts (no vehicle) among them.
        public var platformAlerts: Int

        /// The figures of `records` (already restricted to the report's vehicles and period).
        init(records: [AlertRecord], period: ReportPeriod) {
            var byType: [String: [AlertRecord]] = [:]
            for record in records { byType[record.type, default: []].append(record) }
            self.byType = byType.sorted { $0.key < $1.key }.map { AlertTypeRow(type: $0.key, records: $0.value, period: period) }
            all = AlertTypeRow(type: nil, records: records, period: period)
            platformAlerts = records.filter { $0.vehicleID == nil }.count
        }

        enum CodingKeys: String, CodingKey {
            case byType = "by_type"
            case all
            case platformAlerts = "platform_alerts"
        }
    }
}
