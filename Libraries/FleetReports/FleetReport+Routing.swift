extension FleetReport {
    /// One route plan's stops.
    public struct RoutePlanRow: Sendable, Codable, Hashable {
        /// The plan.
        public var id: String
        /// When it was made (Unix milliseconds).
        public var createdMillis: Int64
        /// Vehicles in the plan.
        public var vehicles: Int
        /// Stops planned.
        public var stops: Int
        /// Stops served.
        public var served: Int
        /// Served within their time window.
        public var onTime: Int
        /// Served after their window closed.
        public var late: Int
        /// On time ÷ served; nil when nothing was served.
        public var onTimeRate: Double?

        init(record: RouteRecord) {
            id = record.id
            createdMillis = record.createdMillis
            vehicles = record.vehicles
            stops = record.stops
            served = record.served
            onTime = record.onTime
            late = record.late
            onTimeRate = ReportStatistics.ratio(Double(record.onTime), Double(record.served))
        }

        enum CodingKeys: String, CodingKey {
            case id
            case createdMillis = "created_ms"
            case vehicles, stops, served
            case onTime = "on_time"
            case late
            case onTimeRate = "on_time_rate"
        }
    }

    /// Route plans made in the period and how their stops went.
    public struct RoutingSummary: Sendable, Codable, Hashable {
        /// Plans made in the period.
        public var plans: Int
        /// Vehicles in the plans, summed over plans.
        public var vehicles: Int
        /// Stops planned.
        public var stops: Int
        /// Stops served.
        public var served: Int
        /// Served within their time window.
        public var onTime: Int
        /// Served after their window closed.
        public var late: Int
        /// On time ÷ served; nil when nothing was served.
        public var onTimeRate: Double?
        /// The plans, by creation time then id.
        public var routes: [RoutePlanRow]

        /// Whether routing was in use: at least one plan in the period.
        public var inUse: Bool { plans > 0 }

        /// The figures of `records` (already restricted to the period).
        init(records: [RouteRecord]) {
            routes = records.sorted { ($0.createdMillis, $0.id) < ($1.createdMillis, $1.id) }.map(RoutePlanRow.init(record:))
            let served = records.reduce(0) { $0 + $1.served }
            let onTime = records.reduce(0) { $0 + $1.onTime }
            plans = records.count
            vehicles = records.reduce(0) { $0 + $1.vehicles }
            stops = records.reduce(0) { $0 + $1.stops }
            self.served = served
            self.onTime = onTime
            late = records.reduce(0) { $0 + $1.late }
            onTimeRate = ReportStatistics.ratio(Double(onTime), Double(served))
        }

        enum CodingKeys: String, CodingKey {
            case plans, vehicles, stops, served
            case onTime = "on_time"
            case late
            case onTimeRate = "on_time_rate"
            case routes
        }
    }
}
