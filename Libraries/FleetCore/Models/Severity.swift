/// Severity of a ``FleetEvent`` or ``Alert``, ordered `info < warning < critical`.
public enum Severity: String, Hashable, Sendable, CaseIterable, Comparable {
    /// Informational.
    case info
    /// Needs attention.
    case warning
    /// Needs immediate action.
    case critical

    var wireCode: UInt8 {
        switch self {
        case .info: 0
        case .warning: 1
        case .critical: 2
        }
    }

    init?(wireCode: UInt8) {
        switch wireCode {
        case 0: self = .info
        case 1: self = .warning
        case 2: self = .critical
        default: return nil
        }
    }

    /// Orders by urgency.
    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.wireCode < rhs.wireCode }
}
