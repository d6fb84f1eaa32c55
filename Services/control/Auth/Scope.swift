/// What an API token may do. `admin` implies every other scope.
enum Scope: String, Sendable, Codable, CaseIterable, Comparable {
    /// Read vehicles, tags and commands.
    case fleetRead = "fleet:read"
    /// Send commands and manage tags.
    case commandsWrite = "commands:write"
    /// Manage tokens and read the audit log.
    case admin

    static func < (lhs: Scope, rhs: Scope) -> Bool { lhs.rawValue < rhs.rawValue }
}
