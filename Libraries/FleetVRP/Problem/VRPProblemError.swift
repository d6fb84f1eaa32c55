/// Why a problem or an instance file was refused.
public enum VRPProblemError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The problem is impossible as stated (an index out of range, a negative quantity, an empty window).
    case invalid(String)
    /// An instance file could not be read or parsed.
    case unreadable(String)

    public var description: String {
        switch self {
        case .invalid(let reason): "invalid problem: \(reason)"
        case .unreadable(let reason): "unreadable instance: \(reason)"
        }
    }
}
