/// Life-cycle state of an ``Alert``.
public enum AlertStatus: String, Hashable, Sendable, CaseIterable {
    /// The rule condition holds and nobody has acknowledged it.
    case firing
    /// An operator acknowledged it; the condition may still hold.
    case acknowledged
    /// The condition no longer holds.
    case resolved

    var wireCode: UInt8 {
        switch self {
        case .firing: 0
        case .acknowledged: 1
        case .resolved: 2
        }
    }

    init?(wireCode: UInt8) {
        switch wireCode {
        case 0: self = .firing
        case 1: self = .acknowledged
        case 2: self = .resolved
        default: return nil
        }
    }
}
