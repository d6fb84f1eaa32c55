extension FleetReport {
    /// Commands of one action (or of every action): outcomes and how fast vehicles answered.
    ///
    /// Answer latency is the answer's arrival minus the issue time, over the commands with an answer; median and 90th
    /// percentile are nearest-rank (see ``AlertTypeRow``) and nil without an answer.
    public struct CommandActionRow: Sendable, Codable, Hashable {
        /// The action (`pause`, …); nil for the row over every action.
        public var action: String?
        /// Commands issued in the period.
        public var issued: Int
        /// Outcome `acknowledged`: the vehicle did it.
        public var acknowledged: Int
        /// Outcome `rejected`.
        public var rejected: Int
        /// Outcome `failed`.
        public var failed: Int
        /// Outcome `expired`: never answered in time.
        public var expired: Int
        /// Outcome `pending`: still waiting.
        public var pending: Int
        /// Any other outcome.
        public var other: Int
        /// Commands with an answer.
        public var answered: Int
        /// Median answer latency (nearest-rank), milliseconds.
        public var latencyMedianMillis: Int64?
        /// 90th percentile of the answer latency (nearest-rank), milliseconds.
        public var latencyP90Millis: Int64?

        /// The action, or ``FleetReport/allLabel``.
        public var label: String { action ?? FleetReport.allLabel }

        init(action: String?, records: [CommandRecord]) {
            self.action = action
            issued = records.count
            var outcomes: [String: Int] = [:]
            for record in records { outcomes[record.outcome, default: 0] += 1 }
            acknowledged = outcomes["acknowledged"] ?? 0
            rejected = outcomes["rejected"] ?? 0
            failed = outcomes["failed"] ?? 0
            expired = outcomes["expired"] ?? 0
            pending = outcomes["pending"] ?? 0
            other = records.count - acknowledged - rejected - failed - expired - pending
            let latencies = records.compactMap { record in record.answeredMillis.map { max(0, $0 - record.issuedMillis) } }.sorted()
            answered = latencies.count
            latencyMedianMillis = ReportStatistics.percentile(latencies, 50)
            latencyP90Millis = ReportStatistics.percentile(latencies, 90)
        }

        enum CodingKeys: String, CodingKey {
            case action, issued, acknowledged, rejected, failed, expired, pending, other, answered
            case latencyMedianMillis = "latency_median_ms"
            case latencyP90Millis = "latency_p90_ms"
        }
    }

    /// Commands by action.
    public struct CommandSummary: Sendable, Codable, Hashable {
        /// One row per action, by action.
        public var byAction: [CommandActionRow]
        /// Every command.
        public var all: CommandActionRow

        /// The figures of `records` (already restricted to the report's vehicles and period).
        init(records: [CommandRecord]) {
            var byAction: [String: [CommandRecord]] = [:]
            for record in records { byAction[record.action, default: []].append(record) }
            self.byAction = byAction.sorted { $0.key < $1.key }.map { CommandActionRow(action: $0.key, records: $0.value) }
            all = CommandActionRow(action: nil, records: records)
        }

        enum CodingKeys: String, CodingKey {
            case byAction = "by_action"
            case all
        }
    }
}
