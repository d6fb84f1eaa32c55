/// Where a command is in its lifecycle:
/// `pending → sent → acknowledged | rejected → completed | failed`, or `expired` when its TTL passes unacknowledged.
enum CommandStatus: String, Sendable, Codable, CaseIterable {
    /// Stored, not yet accepted by the broker.
    case pending
    /// The broker acknowledged the QoS 1 publish (PUBACK); the vehicle has not answered yet.
    case sent
    /// The vehicle accepted the command (`accepted` acknowledgement).
    case acknowledged
    /// The vehicle refused the command.
    case rejected
    /// The vehicle executed the command.
    case completed
    /// The vehicle tried and failed.
    case failed
    /// The time-to-live passed before the vehicle answered.
    case expired

    /// Whether the command is still waiting for the vehicle's first answer (`?wait=` returns once it is not).
    var isAwaitingVehicle: Bool { self == .pending || self == .sent }

    /// The statuses a command may move to this status from; a transition from anything else is ignored.
    var allowedPredecessors: [CommandStatus] {
        switch self {
        case .pending: []
        case .sent: [.pending]
        case .acknowledged, .rejected, .expired: [.pending, .sent]
        case .completed, .failed: [.pending, .sent, .acknowledged]
        }
    }
}
