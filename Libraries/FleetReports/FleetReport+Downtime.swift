extension FleetReport {
    /// Downtime of one cause (or of every cause) with its mean times.
    ///
    /// Every downtime episode counts as a failure. Available time = vehicles × period length − downtime of every cause,
    /// so MTBF = available time ÷ episodes and MTTR = downtime ÷ episodes; both nil (not 0, not infinity) without an
    /// episode.
    public struct DowntimeRow: Sendable, Codable, Hashable {
        /// The cause; nil for the row over every cause.
        public var cause: DowntimeCause?
        /// Episodes with downtime inside the period.
        public var episodes: Int
        /// Downtime clipped to the period, hours.
        public var downtimeHours: Double
        /// Mean time to repair, hours.
        public var mttrHours: Double?
        /// Mean time between failures, hours.
        public var mtbfHours: Double?

        /// The cause's name, or ``FleetReport/allLabel``.
        public var label: String { cause?.rawValue ?? FleetReport.allLabel }

        init(cause: DowntimeCause?, episodes: Int, downtimeMillis: Int64, availableMillis: Int64) {
            self.cause = cause
            self.episodes = episodes
            downtimeHours = Double(downtimeMillis) / 3_600_000
            mttrHours = episodes > 0 ? Double(downtimeMillis) / 3_600_000 / Double(episodes) : nil
            mtbfHours = episodes > 0 ? Double(availableMillis) / 3_600_000 / Double(episodes) : nil
        }

        enum CodingKeys: String, CodingKey {
            case cause, episodes
            case downtimeHours = "downtime_h"
            case mttrHours = "mttr_h"
            case mtbfHours = "mtbf_h"
        }
    }

    /// Downtime per cause and over every cause.
    public struct DowntimeSummary: Sendable, Codable, Hashable {
        /// Vehicles × period length − downtime of every cause, hours (never negative).
        public var availableHours: Double
        /// One row per cause, in ``DowntimeCause`` order, causes without downtime included.
        public var byCause: [DowntimeRow]
        /// The row over every cause.
        public var all: DowntimeRow

        init(vehicles: [VehicleActivity], period: ReportPeriod) {
            var episodes: [DowntimeCause: Int] = [:]
            var millis: [DowntimeCause: Int64] = [:]
            for vehicle in vehicles {
                for episode in vehicle.downtime {
                    let overlap = period.overlapMillis(start: episode.startMillis, end: episode.endMillis)
                    guard overlap > 0 else { continue }
                    episodes[episode.cause, default: 0] += 1
                    millis[episode.cause, default: 0] += overlap
                }
            }
            let downtime = millis.values.reduce(0, +)
            let available = max(0, Int64(vehicles.count) * period.lengthMillis - downtime)
            availableHours = Double(available) / 3_600_000
            byCause = DowntimeCause.allCases.map { cause in
                DowntimeRow(
                    cause: cause, episodes: episodes[cause] ?? 0, downtimeMillis: millis[cause] ?? 0,
                    availableMillis: available)
            }
            all = DowntimeRow(
                cause: nil, episodes: episodes.values.reduce(0, +), downtimeMillis: downtime, availableMillis: available)
        }

        enum CodingKeys: String, CodingKey {
            case availableHours = "available_h"
            case byCause = "by_cause"
            case all
        }
    }
}
