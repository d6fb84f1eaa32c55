/// What a token may do, the same on every service. `admin` implies every other scope.
///
/// Which scope each endpoint needs is written in the service's OpenAPI document (`security: [bearer: [scope]]`).
public enum Scope: String, Sendable, Codable, CaseIterable, Comparable {
    /// Read vehicles, positions, history, commands, alerts, rules and geofences.
    case fleetRead = "fleet:read"
    /// Send telemetry over HTTP (restricted to one vehicle when the token names one).
    case telemetryWrite = "telemetry:write"
    /// Send commands and manage vehicle tags.
    case commandsWrite = "commands:write"
    /// Create and delete geofences.
    case geofencesWrite = "geofences:write"
    /// Acknowledge and resolve alerts, manage alert rules.
    case alertsWrite = "alerts:write"
    /// Create, change, delete webhooks and rotate their secrets.
    case webhooksAdmin = "webhooks:admin"
    /// Plan and change routes.
    case routesWrite = "routes:write"
    /// Everything, including tokens, vehicle credentials and the audit log.
    case admin

    public static func < (lhs: Scope, rhs: Scope) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The scopes named in a space-separated list (OAuth's `scope` claim); unknown names are ignored.
    public static func parse(list: String) -> Set<Scope> {
        Set(list.split(separator: " ").compactMap { Scope(rawValue: String($0)) })
    }
}
