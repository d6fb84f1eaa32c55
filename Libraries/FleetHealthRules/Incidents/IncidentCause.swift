/// Why a vehicle was down. Causes are kept apart: a vehicle can have an open `fault` and an open `paused` incident at
/// the same time, and each is measured on its own.
public enum IncidentCause: String, Sendable, Hashable, CaseIterable, Codable, Comparable {
    /// A breakdown: status `fault`, or a code the table marks as a breakdown.
    case fault
    /// Online but no telemetry for the configured time (a crashed gateway, a dead modem).
    case silent
    /// Disconnected (its last will or a clean disconnect).
    case offline
    /// Stopped by an operator's pause.
    case paused

    /// Whether the cause is an unplanned failure, counted in MTBF and MTTR. Offline periods (often the end of a shift)
    /// and operator pauses are downtime but not failures.
    public var isFailure: Bool {
        switch self {
        case .fault, .silent: true
        case .offline, .paused: false
        }
    }

    public static func < (lhs: IncidentCause, rhs: IncidentCause) -> Bool { lhs.rawValue < rhs.rawValue }
}
