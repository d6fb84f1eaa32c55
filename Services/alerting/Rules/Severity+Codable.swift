import FleetCore

/// Severities appear in rules, alerts and webhook payloads as their raw values.
extension Severity: Encodable, Decodable {}
