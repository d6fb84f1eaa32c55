/// What a vehicle reports it is doing.
public enum VehicleStatus: String, Hashable, Sendable, CaseIterable {
    /// Powered, stationary, not paused.
    case idle
    /// Under way.
    case moving
    /// Stopped because of a pause command / desired state.
    case paused
    /// Connected to a charger.
    case charging
    /// Stopped or degraded because of a fault (see `fault_codes`).
    case fault

    /// Stable code used by the binary codec.
    var wireCode: UInt8 {
        switch self {
        case .idle: 0
        case .moving: 1
        case .paused: 2
        case .charging: 3
        case .fault: 4
        }
    }

    init?(wireCode: UInt8) {
        switch wireCode {
        case 0: self = .idle
        case 1: self = .moving
        case 2: self = .paused
        case 3: self = .charging
        case 4: self = .fault
        default: return nil
        }
    }
}
