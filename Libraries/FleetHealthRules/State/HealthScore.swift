import FleetCore

/// A 0–100 health score from the active conditions: 100 is nothing wrong; each condition takes off a weight by how
/// much it limits the vehicle (a breakdown or silence takes it to 0-20; a low level or an anomaly a little).
public enum HealthScore {
    /// The score for `conditions`, with `faultCodes` to weigh codes by severity.
    public static func score(_ conditions: some Sequence<HealthCondition>, faultCodes: FaultCodeTable) -> Int {
        var score = 100.0
        for condition in conditions {
            score -= penalty(condition, faultCodes: faultCodes)
        }
        return Int(max(0, score).rounded())
    }

    static func penalty(_ condition: HealthCondition, faultCodes: FaultCodeTable) -> Double {
        switch condition.kind {
        case .statusFault: 80
        case .fault:
            switch faultCodes.info(for: condition.detail ?? "") {
            case let info where info.breakdown: 80
            case let info where info.severity == .critical: 35
            case let info where info.severity == .warning: 15
            default: 5
            }
        case .silent: 60
        case .offline: 0
        case .overheating: 35
        case .fuelDrop: 25
        case .maintenanceDue: 25
        case .batteryHealth: 20
        case .lowBattery, .lowFuel: 15
        case .anomaly: 10
        case .paused: 0
        }
    }
}
