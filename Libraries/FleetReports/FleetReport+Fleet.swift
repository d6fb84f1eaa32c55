extension FleetReport {
    /// Movement totals of a group of vehicles (the fleet, the tag, one tag of the breakdown).
    public struct Totals: Sendable, Codable, Hashable {
        /// Vehicles in the group.
        public var vehicles: Int
        /// Vehicles with at least one telemetry sample in the period.
        public var activeVehicles: Int
        /// Distance driven, kilometres.
        public var distanceKm: Double
        /// Time spent moving, hours.
        public var drivingHours: Double
        /// Driving time ÷ (vehicles × period length), 0…1; nil without vehicles or for an empty period.
        public var utilisation: Double?
        /// Stops made.
        public var stops: Int
        /// Battery used, percentage points summed over the vehicles; nil when no vehicle reported its battery.
        public var batteryUsedPct: Double?
        /// Fuel used, percentage points summed over the vehicles; nil when no vehicle reported its fuel.
        public var fuelUsedPct: Double?
        /// Telemetry samples.
        public var samples: Int
        /// Downtime of every cause, hours, clipped to the period.
        public var downtimeHours: Double

        /// Totals of `vehicles` (in the order given, so sums are reproducible).
        init(vehicles: [VehicleActivity], period: ReportPeriod) {
            var distance = 0.0
            var driving = 0.0
            var stops = 0
            var samples = 0
            var active = 0
            var battery: Double?
            var fuel: Double?
            var downtime: Int64 = 0
            for vehicle in vehicles {
                distance += vehicle.distanceMeters
                driving += vehicle.drivingSeconds
                stops += vehicle.stops
                samples += vehicle.samples
                if vehicle.samples > 0 { active += 1 }
                if let used = vehicle.batteryUsedPct { battery = (battery ?? 0) + used }
                if let used = vehicle.fuelUsedPct { fuel = (fuel ?? 0) + used }
                for episode in vehicle.downtime {
                    downtime += period.overlapMillis(start: episode.startMillis, end: episode.endMillis)
                }
            }
            self.vehicles = vehicles.count
            activeVehicles = active
            distanceKm = distance / 1000
            drivingHours = driving / 3600
            utilisation = ReportStatistics.ratio(driving, Double(vehicles.count) * Double(period.lengthMillis) / 1000)
            self.stops = stops
            batteryUsedPct = battery
            fuelUsedPct = fuel
            self.samples = samples
            downtimeHours = Double(downtime) / 3_600_000
        }

        enum CodingKeys: String, CodingKey {
            case vehicles
            case activeVehicles = "active_vehicles"
            case distanceKm = "distance_km"
            case drivingHours = "driving_h"
            case utilisation, stops
            case batteryUsedPct = "battery_used_pct"
            case fuelUsedPct = "fuel_used_pct"
            case samples
            case downtimeHours = "downtime_h"
        }
    }

    /// The totals of the vehicles with one tag, or of the vehicles without any.
    public struct TagTotals: Sendable, Codable, Hashable {
        /// The tag; nil for the vehicles without a tag.
        public var tag: String?
        /// Their totals.
        public var totals: Totals

        /// The tag, or ``FleetReport/untaggedLabel``.
        public var label: String { tag ?? FleetReport.untaggedLabel }

        /// Totals per tag of `vehicles`, by tag name, the untagged group last (only when there is one). A vehicle with
        /// several tags counts in each.
        static func grouping(_ vehicles: [VehicleActivity], period: ReportPeriod) -> [TagTotals] {
            var byTag: [String: [VehicleActivity]] = [:]
            var untagged: [VehicleActivity] = []
            for vehicle in vehicles {
                let tags = Set(vehicle.tags)
                if tags.isEmpty { untagged.append(vehicle) }
                for tag in tags { byTag[tag, default: []].append(vehicle) }
            }
            var rows = byTag.sorted { $0.key < $1.key }.map { TagTotals(tag: $0.key, totals: Totals(vehicles: $0.value, period: period)) }
            if !untagged.isEmpty { rows.append(TagTotals(tag: nil, totals: Totals(vehicles: untagged, period: period))) }
            return rows
        }

        enum CodingKeys: String, CodingKey {
            case tag, totals
        }
    }

    /// Hours of downtime of one cause.
    public struct CauseHours: Sendable, Codable, Hashable {
        /// The cause.
        public var cause: DowntimeCause
        /// Hours, clipped to the period.
        public var hours: Double

        enum CodingKeys: String, CodingKey {
            case cause, hours
        }
    }

    /// One vehicle's figures.
    public struct VehicleRow: Sendable, Codable, Hashable {
        /// The vehicle.
        public var vehicleID: String
        /// Its tags, sorted, without repeats.
        public var tags: [String]
        /// Distance driven, kilometres.
        public var distanceKm: Double
        /// Time spent moving, hours.
        public var drivingHours: Double
        /// Driving time ÷ period length, 0…1; nil for an empty period.
        public var utilisation: Double?
        /// Stops made.
        public var stops: Int
        /// Battery used, percentage points; nil without battery readings.
        public var batteryUsedPct: Double?
        /// Fuel used, percentage points; nil without fuel readings.
        public var fuelUsedPct: Double?
        /// Telemetry samples.
        public var samples: Int
        /// Downtime hours of every cause, in ``DowntimeCause`` order (0 for a cause without downtime).
        public var downtime: [CauseHours]
        /// Downtime episodes of every cause in the period (each counts as a failure in MTBF).
        public var failures: Int
        /// Health incidents open in the period; nil when fleet-health's records are unavailable.
        public var incidents: Int?
        /// Alerts raised in the period; nil when fleet-alerting's records are unavailable.
        public var alerts: Int?
        /// Health score at the period's end (0 worst … 100); nil without a health record.
        public var healthScore: Double?
        /// Predicted maintenance (Unix milliseconds); nil without a prediction.
        public var maintenanceDueMillis: Int64?

        /// Hours of downtime of `cause`.
        public func downtimeHours(_ cause: DowntimeCause) -> Double {
            downtime.first { $0.cause == cause }?.hours ?? 0
        }

        init(vehicle: VehicleActivity, period: ReportPeriod, incidents: Int?, alerts: Int?, health: VehicleHealthRecord?) {
            vehicleID = vehicle.vehicleID
            tags = Set(vehicle.tags).sorted()
            distanceKm = vehicle.distanceMeters / 1000
            drivingHours = vehicle.drivingSeconds / 3600
            utilisation = ReportStatistics.ratio(vehicle.drivingSeconds, Double(period.lengthMillis) / 1000)
            stops = vehicle.stops
            batteryUsedPct = vehicle.batteryUsedPct
            fuelUsedPct = vehicle.fuelUsedPct
            samples = vehicle.samples
            var millis: [DowntimeCause: Int64] = [:]
            var episodes = 0
            for episode in vehicle.downtime {
                let overlap = period.overlapMillis(start: episode.startMillis, end: episode.endMillis)
                guard overlap > 0 else { continue }
                millis[episode.cause, default: 0] += overlap
                episodes += 1
            }
            downtime = DowntimeCause.allCases.map { CauseHours(cause: $0, hours: Double(millis[$0] ?? 0) / 3_600_000) }
            failures = episodes
            self.incidents = incidents
            self.alerts = alerts
            healthScore = health?.score
            maintenanceDueMillis = health?.maintenanceDueMillis
        }

        enum CodingKeys: String, CodingKey {
            case vehicleID = "vehicle_id"
            case tags
            case distanceKm = "distance_km"
            case drivingHours = "driving_h"
            case utilisation, stops
            case batteryUsedPct = "battery_used_pct"
            case fuelUsedPct = "fuel_used_pct"
            case samples, downtime, failures, incidents, alerts
            case healthScore = "health_score"
            case maintenanceDueMillis = "maintenance_due_ms"
        }
    }

    /// The fleet's (or the tag's) activity on one UTC day.
    public struct DailyRow: Sendable, Codable, Hashable {
        /// The day's start (Unix milliseconds, UTC midnight).
        public var dayStartMillis: Int64
        /// Distance driven, kilometres.
        public var distanceKm: Double
        /// Time spent moving, hours.
        public var drivingHours: Double
        /// Vehicles with at least one sample that day.
        public var activeVehicles: Int

        init(day: DailyActivity) {
            dayStartMillis = day.dayStartMillis
            distanceKm = day.distanceMeters / 1000
            drivingHours = day.drivingSeconds / 3600
            activeVehicles = day.activeVehicles
        }

        enum CodingKeys: String, CodingKey {
            case dayStartMillis = "day_start_ms"
            case distanceKm = "distance_km"
            case drivingHours = "driving_h"
            case activeVehicles = "active_vehicles"
        }
    }
}
