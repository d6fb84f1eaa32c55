/// A vehicle's answer to a ``Command``.
public enum CommandAckStatus: String, Hashable, Sendable, CaseIterable {
    /// Received and will be executed.
    case accepted
    /// Refused (expired, invalid in the current state, …); see `reason`.
    case rejected
    /// Executed successfully.
    case completed
    /// Execution was attempted and failed; see `reason`.
    case failed

    /// Whether no further acknowledgement will follow for the command.
    public var isFinal: Bool { self != .accepted }

    var wireCode: UInt8 {
        switch self {
        case .accepted: 0
        case .rejected: 1
        case .completed: 2
        case .failed: 3
        }
    }

    init?(wireCode: UInt8) {
        switch wireCode {
        case 0: self = .accepted
        case 1: self = .rejected
        case 2: self = .completed
        case 3: self = .failed
        default: return nil
        }
    }
}
