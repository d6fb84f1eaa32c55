import FleetCore
import FleetHealthRules
import Foundation

/// One active condition as the API shows it.
struct ActiveConditionDTO: Encodable, Sendable {
    var condition: String
    var kind: String
    var detail: String?
    var since: Date
    var severity: String?
    var text: String?
    var incidentCause: String?

    enum CodingKeys: String, CodingKey {
        case condition, kind, detail, since, severity, text
        case incidentCause = "incident_cause"
    }

    init(_ condition: HealthCondition, since millis: Int64, faultCodes: FaultCodeTable) {
        self.condition = condition.key
        kind = condition.kind.rawValue
        detail = condition.detail
        since = TimestampPolicy.date(fromMillis: millis)
        incidentCause = condition.incidentCause(faultCodes: faultCodes)?.rawValue
        if condition.kind == .fault, let code = condition.detail {
            let info = faultCodes.info(for: code)
            severity = info.severity.rawValue
            text = info.text
        }
    }
}

/// An incident.
struct IncidentDTO: Encodable, Sendable {
    var id: String
    var vehicleID: String
    var cause: String
    var startedAt: Date
    var endedAt: Date?
    var durationSeconds: Double
    var open: Bool
    var detail: String

    enum CodingKeys: String, CodingKey {
        case id, cause, open, detail
        case vehicleID = "vehicle_id"
        case startedAt = "started_at"
        case endedAt = "ended_at"
        case durationSeconds = "duration_seconds"
    }

    init(_ incident: Incident, nowMillis: Int64) {
        id = incident.id
        vehicleID = incident.vehicleID.rawValue
        cause = incident.cause.rawValue
        startedAt = TimestampPolicy.date(fromMillis: incident.startedMillis)
        endedAt = incident.endedMillis.map(TimestampPolicy.date(fromMillis:))
        durationSeconds = Double(incident.durationMillis(nowMillis: nowMillis)) / 1000
        open = incident.endedMillis == nil
        detail = incident.detail
    }
}

/// MTBF, MTTR and availability over a window.
struct DowntimeDTO: Encodable, Sendable {
    var windowDays: Int
    var failures: Int
    var repairs: Int
    var mtbfSeconds: Double?
    var mttrSeconds: Double?
    var availability: Double?
    var downtimeSecondsByCause: [String: Double]

    enum CodingKeys: String, CodingKey {
        case failures, repairs, availability
        case windowDays = "window_days"
        case mtbfSeconds = "mtbf_seconds"
        case mttrSeconds = "mttr_seconds"
        case downtimeSecondsByCause = "downtime_seconds_by_cause"
    }

    init(_ stats: DowntimeStatistics, windowDays: Int) {
        self.windowDays = windowDays
        failures = stats.failures
        repairs = stats.repairs
        mtbfSeconds = stats.mtbfSeconds
        mttrSeconds = stats.mttrSeconds
        availability = stats.availability
        downtimeSecondsByCause = Dictionary(uniqueKeysWithValues: IncidentCause.allCases.map { ($0.rawValue, Double(stats.downtimeByCause[$0] ?? 0) / 1000) })
    }
}

/// `GET /v1/vehicles/{id}/health`.
struct VehicleHealthDTO: Encodable, Sendable {
    struct Levels: Encodable, Sendable {
        var batteryPercent: Double?
        var fuelPercent: Double?
        var engineTemperatureCelsius: Double?
        enum CodingKeys: String, CodingKey {
            case batteryPercent = "battery_pct"
            case fuelPercent = "fuel_pct"
            case engineTemperatureCelsius = "engine_temp_c"
        }
    }

    var vehicleID: String
    var score: Int
    var status: String?
    var firstSeen: Date
    var lastSeen: Date?
    var levels: Levels
    var active: [ActiveConditionDTO]
    var openIncidents: [IncidentDTO]
    var remainingUsefulLife: VehicleHealthRow.StoredForecast?
    var battery: VehicleHealthRow.StoredBattery?
    var downtime: DowntimeDTO

    enum CodingKeys: String, CodingKey {
        case score, status, levels, active, battery, downtime
        case vehicleID = "vehicle_id"
        case firstSeen = "first_seen"
        case lastSeen = "last_seen"
        case openIncidents = "open_incidents"
        case remainingUsefulLife = "remaining_useful_life"
    }
}

/// A vehicle in a ranking.
struct VehicleSummaryDTO: Encodable, Sendable {
    var vehicleID: String
    var score: Int
    var active: [String]
    var lastSeen: Date?
    enum CodingKeys: String, CodingKey {
        case score, active
        case vehicleID = "vehicle_id"
        case lastSeen = "last_seen"
    }
}

/// `GET /v1/fleet/health`.
struct FleetHealthDTO: Encodable, Sendable {
    var vehicles: Int
    var healthy: Int
    var withIssues: Int
    var conditions: [String: Int]
    var openIncidents: [String: Int]
    var worst: [VehicleSummaryDTO]
    var downtime: DowntimeDTO
    enum CodingKeys: String, CodingKey {
        case vehicles, healthy, conditions, worst, downtime
        case withIssues = "with_issues"
        case openIncidents = "open_incidents"
    }
}

/// One line of `GET /v1/maintenance/forecast`.
struct ForecastDTO: Encodable, Sendable {
    var vehicleID: String
    var remainingUsefulLife: VehicleHealthRow.StoredForecast
    var maintenanceDue: Bool
    var battery: VehicleHealthRow.StoredBattery?
    enum CodingKeys: String, CodingKey {
        case battery
        case vehicleID = "vehicle_id"
        case remainingUsefulLife = "remaining_useful_life"
        case maintenanceDue = "maintenance_due"
    }
}

/// A page of items with the cursor of the next page.
struct Page<Item: Encodable & Sendable>: Encodable, Sendable {
    var items: [Item]
    var nextAfter: String?
    enum CodingKeys: String, CodingKey {
        case items
        case nextAfter = "next_after"
    }
}
