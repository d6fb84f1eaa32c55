extension FleetReport {
    /// Incidents of one kind and severity (or all of them).
    ///
    /// Open at the end: not closed before the period's end. Time to close: closing minus opening (the whole incident,
    /// even when it opened before the period) of the incidents closed inside the period; nil when none closed.
    public struct IncidentGroup: Sendable, Codable, Hashable {
        /// The kind; nil for the row over every incident.
        public var kind: String?
        /// The severity; nil for the row over every incident.
        public var severity: String?
        /// Incidents open at any time in the period.
        public var incidents: Int
        /// Still open at the period's end.
        public var openAtEnd: Int
        /// Closed inside the period.
        public var closed: Int
        /// Mean time to close, hours.
        public var meanTimeToCloseHours: Double?

        /// The kind, or ``FleetReport/allLabel``.
        public var label: String { kind ?? FleetReport.allLabel }

        init(kind: String?, severity: String?, records: [IncidentRecord], period: ReportPeriod) {
            self.kind = kind
            self.severity = severity
            incidents = records.count
            openAtEnd = records.filter { ($0.closedMillis ?? Int64.max) >= period.toMillis }.count
            let durations = records.compactMap { record -> Int64? in
                guard let closed = record.closedMillis, period.contains(closed) else { return nil }
                return max(0, closed - record.openedMillis)
            }
            closed = durations.count
            meanTimeToCloseHours = ReportStatistics.meanSeconds(millis: durations).map { $0 / 3600 }
        }

        enum CodingKeys: String, CodingKey {
            case kind, severity, incidents
            case openAtEnd = "open_at_end"
            case closed
            case meanTimeToCloseHours = "mean_time_to_close_h"
        }
    }

    /// Health incidents by kind and severity.
    public struct IncidentSummary: Sendable, Codable, Hashable {
        /// One group per kind and severity, by kind then severity.
        public var groups: [IncidentGroup]
        /// Every incident.
        public var all: IncidentGroup

        /// The figures of `records` (already restricted to the report's vehicles and period).
        init(records: [IncidentRecord], period: ReportPeriod) {
            var byGroup: [GroupKey: [IncidentRecord]] = [:]
            for record in records { byGroup[GroupKey(kind: record.kind, severity: record.severity), default: []].append(record) }
            groups = byGroup.keys.sorted().map { key in
                IncidentGroup(kind: key.kind, severity: key.severity, records: byGroup[key] ?? [], period: period)
            }
            all = IncidentGroup(kind: nil, severity: nil, records: records, period: period)
        }

        enum CodingKeys: String, CodingKey {
            case groups, all
        }
    }

    /// Kind and severity, ordered by kind then severity.
    struct GroupKey: Hashable, Comparable {
        var kind: String
        var severity: String

        static func < (lhs: GroupKey, rhs: GroupKey) -> Bool {
            (lhs.kind, lhs.severity) < (rhs.kind, rhs.severity)
        }
    }
}
