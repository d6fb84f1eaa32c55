/// Whether a vehicle currently holds an MQTT session.
public enum Connectivity: String, Hashable, Sendable, CaseIterable {
    /// Connected.
    case online
    /// Disconnected (clean disconnect or last will).
    case offline

    var wireCode: UInt8 {
        switch self {
        case .online: 0
        case .offline: 1
        }
    }

    init?(wireCode: UInt8) {
        switch wireCode {
        case 0: self = .online
        case 1: self = .offline
        default: return nil
        }
    }
}
