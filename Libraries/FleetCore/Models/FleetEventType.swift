/// What happened. Raw values are topic-safe and form the last level of `fleet/v1/events/{type}`.
public enum FleetEventType: String, Hashable, Sendable, CaseIterable {
    /// A vehicle connected.
    case online
    /// A vehicle disconnected or its last will fired.
    case offline
    /// A vehicle started moving.
    case moving
    /// A vehicle stopped.
    case stopped
    /// A vehicle exceeded its speed limit.
    case overspeed
    /// A vehicle entered a geofence (attribute `geofence`).
    case geofenceEnter = "geofence_enter"
    /// A vehicle left a geofence (attribute `geofence`).
    case geofenceExit = "geofence_exit"
    /// A fault code appeared (attribute `code`).
    case fault
    /// A fault code cleared (attribute `code`).
    case faultCleared = "fault_cleared"
    /// Battery fell below the configured threshold.
    case lowBattery = "low_battery"
    /// Fuel fell below the configured threshold.
    case lowFuel = "low_fuel"
    /// Telemetry sequence numbers skipped (attributes `from`, `to`).
    case sequenceGap = "sequence_gap"
    /// A command was issued (attributes `command_id`, `action`).
    case commandIssued = "command_issued"
    /// A command expired or was never acknowledged (attribute `command_id`).
    case commandTimeout = "command_timeout"
    /// Battery rose back above the clearing threshold.
    case lowBatteryCleared = "low_battery_cleared"
    /// Fuel rose back above the clearing threshold.
    case lowFuelCleared = "low_fuel_cleared"
    /// Fuel fell sharply while the vehicle was parked: theft or a leak (attributes `from_pct`, `to_pct`).
    case fuelDrop = "fuel_drop"
    /// Engine or drive-unit temperature stayed above the limit (attribute `engine_temp_c`).
    case overheating
    /// Engine or drive-unit temperature fell back below the clearing threshold.
    case overheatingCleared = "overheating_cleared"
    /// Battery capacity faded below the health threshold, or its predicted end of life is near.
    case batteryHealth = "battery_health"
    /// Predicted remaining useful life fell below the maintenance threshold.
    case maintenanceDue = "maintenance_due"
    /// An online vehicle sent no telemetry for the configured time.
    case silent
    /// A silent vehicle was heard from again.
    case silentCleared = "silent_cleared"
    /// A signal left its expected range (attributes `signal`, `kind`, `score`, `expected_min`, `expected_max`).
    case anomaly
    /// A road segment stayed far below its free-flow speed (attributes `edge`, `road`, `lat`, `lon`, `speed_kmh`,
    /// `free_flow_kmh`, `since_ms`); no vehicle.
    case trafficJam = "traffic_jam"
    /// A jammed segment flows again, or has not been heard of for long (attributes as ``trafficJam`` plus `reason`).
    case trafficCleared = "traffic_cleared"
    /// A platform alert from Prometheus (through Alertmanager) is firing; not a vehicle's event: fleet-alerting makes
    /// it from `POST /v1/platform-alerts` (attributes `alertname`, `fingerprint`, `summary`, `description`, `runbook_url`,
    /// `job`, `instance`…).
    case platformAlert = "platform_alert"
    /// That platform alert resolved (same attributes).
    case platformAlertResolved = "platform_alert_resolved"
    /// fleet-tracking finished a fleet report (weekly or on demand); not a vehicle's event and not an alert:
    /// fleet-alerting delivers it to webhooks as a `report.ready` message. Severity `info`, no vehicle. Attributes (all
    /// strings): `report_id`, `title`, `kind` (`weekly` or `on_demand`), `from_ms`, `to_ms`, `tag` (absent for a
    /// fleet-wide report), `html` (API path of the HTML page), `files` (comma-separated file names), `vehicles`
    /// (count), `unavailable` (comma-separated names of sections without data; may be empty).
    case reportReady = "report_ready"

    var wireCode: UInt8 {
        switch self {
        case .online: 0
        case .offline: 1
        case .moving: 2
        case .stopped: 3
        case .overspeed: 4
        case .geofenceEnter: 5
        case .geofenceExit: 6
        case .fault: 7
        case .faultCleared: 8
        case .lowBattery: 9
        case .lowFuel: 10
        case .sequenceGap: 11
        case .commandIssued: 12
        case .commandTimeout: 13
        case .lowBatteryCleared: 14
        case .lowFuelCleared: 15
        case .fuelDrop: 16
        case .overheating: 17
        case .overheatingCleared: 18
        case .batteryHealth: 19
        case .maintenanceDue: 20
        case .silent: 21
        case .silentCleared: 22
        case .anomaly: 23
        case .trafficJam: 24
        case .trafficCleared: 25
        case .platformAlert: 26
        case .platformAlertResolved: 27
        case .reportReady: 28
        }
    }

    init?(wireCode: UInt8) {
        guard let match = FleetEventType.allCases.first(where: { $0.wireCode == wireCode }) else { return nil }
        self = match
    }
}
