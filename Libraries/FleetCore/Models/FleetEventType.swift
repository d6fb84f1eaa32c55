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
        }
    }

    init?(wireCode: UInt8) {
        guard let match = FleetEventType.allCases.first(where: { $0.wireCode == wireCode }) else { return nil }
        self = match
    }
}
