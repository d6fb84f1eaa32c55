/// What each service contributes to a fleet report, as it travels between services: JSON with snake_case keys.
///
/// fleet-tracking builds reports. It computes ``VehicleActivity`` and ``DailyActivity`` from its own telemetry and asks
/// the other services for their records of the same period (`GET /v1/report-data?from=&to=` on each, scope
/// `fleet:read`), which answer with the envelopes below. Times are Unix milliseconds (UTC).

/// The period a report covers: `[fromMillis, toMillis)`.
public struct ReportPeriod: Sendable, Codable, Hashable {
    public var fromMillis: Int64
    public var toMillis: Int64

    public init(fromMillis: Int64, toMillis: Int64) {
        self.fromMillis = fromMillis
        self.toMillis = toMillis
    }

    /// Length in seconds.
    public var seconds: Double { Double(toMillis - fromMillis) / 1000 }

    enum CodingKeys: String, CodingKey {
        case fromMillis = "from_ms"
        case toMillis = "to_ms"
    }
}

/// Why a vehicle was not available for work.
public enum DowntimeCause: String, Sendable, Codable, Hashable, CaseIterable {
    /// Its telemetry reported status `fault`.
    case fault
    /// Paused (by an operator's command or the vehicle itself).
    case paused
    /// Charging or refuelling.
    case charging
    /// Silent: no telemetry for longer than the report's offline gap.
    case offline
}

/// One stretch of downtime of one vehicle, clipped to the report period.
public struct DowntimeEpisode: Sendable, Codable, Hashable {
    public var cause: DowntimeCause
    public var startMillis: Int64
    public var endMillis: Int64

    public init(cause: DowntimeCause, startMillis: Int64, endMillis: Int64) {
        self.cause = cause
        self.startMillis = startMillis
        self.endMillis = endMillis
    }

    enum CodingKeys: String, CodingKey {
        case cause
        case startMillis = "start_ms"
        case endMillis = "end_ms"
    }
}

/// One vehicle's movement over the period, from tracking's telemetry.
public struct VehicleActivity: Sendable, Codable, Hashable {
    public var vehicleID: String
    public var tags: [String]
    /// Odometer increase over the period (metres).
    public var distanceMeters: Double
    /// Time spent moving (seconds): intervals between consecutive samples where the vehicle was moving, gaps longer
    /// than the offline gap not counted.
    public var drivingSeconds: Double
    /// Stops: a moving vehicle that came to rest for at least the minimum stop time.
    public var stops: Int
    /// Sum of battery decreases in percentage points (charging does not subtract); nil without battery readings.
    public var batteryUsedPct: Double?
    /// Sum of fuel decreases in percentage points; nil without fuel readings.
    public var fuelUsedPct: Double?
    /// Telemetry samples in the period.
    public var samples: Int
    public var downtime: [DowntimeEpisode]

    public init(
        vehicleID: String, tags: [String], distanceMeters: Double, drivingSeconds: Double, stops: Int, batteryUsedPct: Double?,
        fuelUsedPct: Double?, samples: Int, downtime: [DowntimeEpisode]
    ) {
        self.vehicleID = vehicleID
        self.tags = tags
        self.distanceMeters = distanceMeters
        self.drivingSeconds = drivingSeconds
        self.stops = stops
        self.batteryUsedPct = batteryUsedPct
        self.fuelUsedPct = fuelUsedPct
        self.samples = samples
        self.downtime = downtime
    }

    enum CodingKeys: String, CodingKey {
        case vehicleID = "vehicle_id"
        case tags
        case distanceMeters = "distance_m"
        case drivingSeconds = "driving_s"
        case stops
        case batteryUsedPct = "battery_used_pct"
        case fuelUsedPct = "fuel_used_pct"
        case samples
        case downtime
    }
}

/// The fleet's activity on one UTC day of the period (for the charts).
public struct DailyActivity: Sendable, Codable, Hashable {
    public var dayStartMillis: Int64
    public var distanceMeters: Double
    public var drivingSeconds: Double
    /// Vehicles with at least one sample that day.
    public var activeVehicles: Int

    public init(dayStartMillis: Int64, distanceMeters: Double, drivingSeconds: Double, activeVehicles: Int) {
        self.dayStartMillis = dayStartMillis
        self.distanceMeters = distanceMeters
        self.drivingSeconds = drivingSeconds
        self.activeVehicles = activeVehicles
    }

    enum CodingKeys: String, CodingKey {
        case dayStartMillis = "day_start_ms"
        case distanceMeters = "distance_m"
        case drivingSeconds = "driving_s"
        case activeVehicles = "active_vehicles"
    }
}

/// An alert raised in the period (fleet-alerting).
public struct AlertRecord: Sendable, Codable, Hashable {
    public var id: String
    /// Nil for platform alerts.
    public var vehicleID: String?
    /// The fleet event type that raised it (`low_battery`, `overspeed`, …).
    public var type: String
    public var severity: String
    public var raisedMillis: Int64
    public var acknowledgedMillis: Int64?
    public var resolvedMillis: Int64?

    public init(
        id: String, vehicleID: String?, type: String, severity: String, raisedMillis: Int64, acknowledgedMillis: Int64?,
        resolvedMillis: Int64?
    ) {
        self.id = id
        self.vehicleID = vehicleID
        self.type = type
        self.severity = severity
        self.raisedMillis = raisedMillis
        self.acknowledgedMillis = acknowledgedMillis
        self.resolvedMillis = resolvedMillis
    }

    enum CodingKeys: String, CodingKey {
        case id
        case vehicleID = "vehicle_id"
        case type, severity
        case raisedMillis = "raised_ms"
        case acknowledgedMillis = "acknowledged_ms"
        case resolvedMillis = "resolved_ms"
    }
}

/// A command issued in the period (fleet-control).
public struct CommandRecord: Sendable, Codable, Hashable {
    public var id: String
    public var vehicleID: String
    /// `pause`, `resume`, …
    public var action: String
    /// Final or current state: `acknowledged` (done), `rejected`, `failed`, `expired`, `pending`.
    public var outcome: String
    public var issuedMillis: Int64
    /// When the vehicle's answer arrived; nil without one.
    public var answeredMillis: Int64?

    public init(id: String, vehicleID: String, action: String, outcome: String, issuedMillis: Int64, answeredMillis: Int64?) {
        self.id = id
        self.vehicleID = vehicleID
        self.action = action
        self.outcome = outcome
        self.issuedMillis = issuedMillis
        self.answeredMillis = answeredMillis
    }

    enum CodingKeys: String, CodingKey {
        case id
        case vehicleID = "vehicle_id"
        case action, outcome
        case issuedMillis = "issued_ms"
        case answeredMillis = "answered_ms"
    }
}

/// A health incident open at any time in the period (fleet-health).
public struct IncidentRecord: Sendable, Codable, Hashable {
    public var id: String
    public var vehicleID: String
    /// What kind of problem (the rule or signal that opened it).
    public var kind: String
    public var severity: String
    public var openedMillis: Int64
    public var closedMillis: Int64?

    public init(id: String, vehicleID: String, kind: String, severity: String, openedMillis: Int64, closedMillis: Int64?) {
        self.id = id
        self.vehicleID = vehicleID
        self.kind = kind
        self.severity = severity
        self.openedMillis = openedMillis
        self.closedMillis = closedMillis
    }

    enum CodingKeys: String, CodingKey {
        case id
        case vehicleID = "vehicle_id"
        case kind, severity
        case openedMillis = "opened_ms"
        case closedMillis = "closed_ms"
    }
}

/// One vehicle's health at the end of the period (fleet-health).
public struct VehicleHealthRecord: Sendable, Codable, Hashable {
    public var vehicleID: String
    /// 0 (worst) to 100 (healthy).
    public var score: Double
    /// Predicted time of required maintenance, when a model predicts one.
    public var maintenanceDueMillis: Int64?
    /// Why: the worst open problem, or the model that predicts maintenance.
    public var reason: String?

    public init(vehicleID: String, score: Double, maintenanceDueMillis: Int64?, reason: String?) {
        self.vehicleID = vehicleID
        self.score = score
        self.maintenanceDueMillis = maintenanceDueMillis
        self.reason = reason
    }

    enum CodingKeys: String, CodingKey {
        case vehicleID = "vehicle_id"
        case score
        case maintenanceDueMillis = "maintenance_due_ms"
        case reason
    }
}

/// A route plan made in the period (fleet-routing).
public struct RouteRecord: Sendable, Codable, Hashable {
    public var id: String
    public var createdMillis: Int64
    public var vehicles: Int
    /// Stops planned.
    public var stops: Int
    /// Stops the vehicles reported as served.
    public var served: Int
    /// Served stops reached within their time window.
    public var onTime: Int
    /// Served stops reached after their window closed.
    public var late: Int

    public init(id: String, createdMillis: Int64, vehicles: Int, stops: Int, served: Int, onTime: Int, late: Int) {
        self.id = id
        self.createdMillis = createdMillis
        self.vehicles = vehicles
        self.stops = stops
        self.served = served
        self.onTime = onTime
        self.late = late
    }

    enum CodingKeys: String, CodingKey {
        case id
        case createdMillis = "created_ms"
        case vehicles, stops, served
        case onTime = "on_time"
        case late
    }
}

/// `GET /v1/report-data` of a service: the records of one kind for a period. A service fills the arrays it owns and
/// leaves the others empty; `truncated` says the service stopped at its row limit.
public struct ReportData: Sendable, Codable, Hashable {
    public var period: ReportPeriod
    public var alerts: [AlertRecord]
    public var commands: [CommandRecord]
    public var incidents: [IncidentRecord]
    public var health: [VehicleHealthRecord]
    public var routes: [RouteRecord]
    public var truncated: Bool

    public init(
        period: ReportPeriod, alerts: [AlertRecord] = [], commands: [CommandRecord] = [], incidents: [IncidentRecord] = [],
        health: [VehicleHealthRecord] = [], routes: [RouteRecord] = [], truncated: Bool = false
    ) {
        self.period = period
        self.alerts = alerts
        self.commands = commands
        self.incidents = incidents
        self.health = health
        self.routes = routes
        self.truncated = truncated
    }
}
