extension FleetReport {
    /// One vehicle's health at the period's end.
    public struct HealthRow: Sendable, Codable, Hashable {
        /// The vehicle.
        public var vehicleID: String
        /// 0 (worst) to 100 (healthy).
        public var score: Double
        /// Predicted maintenance (Unix milliseconds), when a model predicts one.
        public var maintenanceDueMillis: Int64?
        /// The worst open problem, or the model that predicts maintenance.
        public var reason: String?

        init(record: VehicleHealthRecord) {
            vehicleID = record.vehicleID
            score = record.score
            maintenanceDueMillis = record.maintenanceDueMillis
            reason = record.reason
        }

        enum CodingKeys: String, CodingKey {
            case vehicleID = "vehicle_id"
            case score
            case maintenanceDueMillis = "maintenance_due_ms"
            case reason
        }
    }

    /// The least healthy vehicles and the maintenance coming up.
    public struct HealthSummary: Sendable, Codable, Hashable {
        /// Vehicles with a health record.
        public var vehicles: Int
        /// Their mean score; nil without one.
        public var meanScore: Double?
        /// The ``FleetReport/worstHealthCount`` lowest scores, lowest first, ties by vehicle id.
        public var worst: [HealthRow]
        /// Maintenance is due before this time: the period's end + 14 days (Unix milliseconds).
        public var maintenanceHorizonMillis: Int64
        /// Vehicles whose predicted maintenance is before ``maintenanceHorizonMillis`` (overdue ones included), by date
        /// then vehicle id.
        public var maintenanceDue: [HealthRow]

        /// The figures of `records` (already restricted to the report's vehicles).
        init(records: [VehicleHealthRecord], period: ReportPeriod) {
            let records = HealthSummary.oneRecordPerVehicle(records)
            vehicles = records.count
            meanScore = records.isEmpty ? nil : records.reduce(0.0) { $0 + $1.score } / Double(records.count)
            worst = records.sorted { ($0.score, $0.vehicleID) < ($1.score, $1.vehicleID) }
                .prefix(FleetReport.worstHealthCount).map(HealthRow.init(record:))
            let horizon = period.toMillis + FleetReport.maintenanceHorizonMillis
            maintenanceHorizonMillis = horizon
            maintenanceDue = records.compactMap { record -> (due: Int64, record: VehicleHealthRecord)? in
                guard let due = record.maintenanceDueMillis, due < horizon else { return nil }
                return (due, record)
            }
            .sorted { ($0.due, $0.record.vehicleID) < ($1.due, $1.record.vehicleID) }
            .map { HealthRow(record: $0.record) }
        }

        /// One record per vehicle, by vehicle id: when a vehicle has several, the lowest score (then the earliest
        /// maintenance) wins.
        static func oneRecordPerVehicle(_ records: [VehicleHealthRecord]) -> [VehicleHealthRecord] {
            let sorted = records.sorted {
                ($0.vehicleID, $0.score, $0.maintenanceDueMillis ?? Int64.max)
                    < ($1.vehicleID, $1.score, $1.maintenanceDueMillis ?? Int64.max)
            }
            var unique: [VehicleHealthRecord] = []
            for record in sorted where unique.last?.vehicleID != record.vehicleID { unique.append(record) }
            return unique
        }

        enum CodingKeys: String, CodingKey {
            case vehicles
            case meanScore = "mean_score"
            case worst
            case maintenanceHorizonMillis = "maintenance_horizon_ms"
            case maintenanceDue = "maintenance_due"
        }
    }
}
