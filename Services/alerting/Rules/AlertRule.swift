import FleetCore
import Foundation

/// A rule that turns matching fleet events into alerts (JSON format documented in docs/alerting-rules.md).
struct AlertRule: Codable, Sendable, Hashable {
    /// Rule id, `[A-Za-z0-9._-]{1,64}`.
    var id: String
    /// Human-readable name.
    var name: String
    /// Event types that fire the rule (at least one).
    var eventTypes: [String]
    /// Lowest event severity that fires the rule (default `info`: every severity).
    var minSeverity: Severity
    /// Only these vehicles (empty: any vehicle).
    var vehicles: [String]
    /// Only events carrying at least one of these tags (attribute `tags`, comma-separated, or `tag`); empty: any.
    var tags: [String]
    /// Severity of the alert; `nil` uses the event's severity.
    var severity: Severity?
    /// Dedup key template with `{rule}`, `{vehicle}`, `{type}` and `{attr.NAME}` placeholders.
    var dedupKey: String
    /// Summary template, same placeholders.
    var summary: String
    /// After an alert for a key fired, no new alert for the same key within this many seconds (0: off).
    var throttleSeconds: Int
    /// Event types that resolve the open alert with the same dedup key; `nil` uses the defaults of the event type.
    var resolveOn: [String]?
    /// Escalate an alert still `firing` (unacknowledged) after this many seconds (`nil`: never).
    var escalateAfterSeconds: Int?
    /// Severity after escalation (default `critical`).
    var escalateTo: Severity
    /// Disabled rules match nothing.
    var enabled: Bool

    enum CodingKeys: String, CodingKey {
        case id, name, vehicles, tags, severity, summary, enabled
        case eventTypes = "event_types"
        case minSeverity = "min_severity"
        case dedupKey = "dedup_key"
        case throttleSeconds = "throttle_seconds"
        case resolveOn = "resolve_on"
        case escalateAfterSeconds = "escalate_after_seconds"
        case escalateTo = "escalate_to"
    }

    static let defaultDedupKey = "{rule}:{vehicle}"
    static let defaultSummary = "{type} on {vehicle}"

    init(
        id: String, name: String? = nil, eventTypes: [String], minSeverity: Severity = .info, vehicles: [String] = [],
        tags: [String] = [], severity: Severity? = nil, dedupKey: String = AlertRule.defaultDedupKey,
        summary: String = AlertRule.defaultSummary, throttleSeconds: Int = 0, resolveOn: [String]? = nil,
        escalateAfterSeconds: Int? = nil, escalateTo: Severity = .critical, enabled: Bool = true
    ) {
        self.id = id
        self.name = name ?? id
        self.eventTypes = eventTypes
        self.minSeverity = minSeverity
        self.vehicles = vehicles
        self.tags = tags
        self.severity = severity
        self.dedupKey = dedupKey
        self.summary = summary
        self.throttleSeconds = throttleSeconds
        self.resolveOn = resolveOn
        self.escalateAfterSeconds = escalateAfterSeconds
        self.escalateTo = escalateTo
        self.enabled = enabled
    }

    /// Decodes with defaults for every optional field.
    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        name = try c.decodeIfPresent(String.self, forKey: .name) ?? id
        eventTypes = try c.decode([String].self, forKey: .eventTypes)
        minSeverity = try c.decodeIfPresent(Severity.self, forKey: .minSeverity) ?? .info
        vehicles = try c.decodeIfPresent([String].self, forKey: .vehicles) ?? []
        tags = try c.decodeIfPresent([String].self, forKey: .tags) ?? []
        severity = try c.decodeIfPresent(Severity.self, forKey: .severity)
        dedupKey = try c.decodeIfPresent(String.self, forKey: .dedupKey) ?? Self.defaultDedupKey
        summary = try c.decodeIfPresent(String.self, forKey: .summary) ?? Self.defaultSummary
        throttleSeconds = try c.decodeIfPresent(Int.self, forKey: .throttleSeconds) ?? 0
        resolveOn = try c.decodeIfPresent([String].self, forKey: .resolveOn)
        escalateAfterSeconds = try c.decodeIfPresent(Int.self, forKey: .escalateAfterSeconds)
        escalateTo = try c.decodeIfPresent(Severity.self, forKey: .escalateTo) ?? .critical
        enabled = try c.decodeIfPresent(Bool.self, forKey: .enabled) ?? true
    }

    /// Checks identifiers, event types, templates and bounds; the message names the field.
    func validate() throws(RuleError) {
        guard MessageID(validating: id) != nil else { throw RuleError("id must match [A-Za-z0-9._-]{1,64}") }
        guard !name.isEmpty, name.count <= 200 else { throw RuleError("name must be 1-200 characters") }
        guard !eventTypes.isEmpty else { throw RuleError("event_types must name at least one event type") }
        for type in eventTypes + (resolveOn ?? []) {
            guard let known = FleetEventType(rawValue: type) else {
                let names = FleetEventType.allCases.filter { !Self.notAlertable.contains($0) }.map(\.rawValue).joined(separator: ", ")
                throw RuleError("unknown event type \"\(type)\" (known: \(names))")
            }
            guard !Self.notAlertable.contains(known) else {
                throw RuleError(
                    "\(type) is not an alert event and no rule can name it: each finished fleet report reaches the webhooks "
                        + "subscribed to \(WebhookFields.reportReady) (or to every type) as a \(WebhookFields.reportReady) message")
            }
        }
        for vehicle in vehicles where !VehicleID.isValid(vehicle) {
            throw RuleError("vehicles: \"\(vehicle)\" is not a valid vehicle id")
        }
        guard tags.allSatisfy({ !$0.isEmpty && $0.count <= 64 }) else { throw RuleError("tags must be 1-64 characters") }
        guard !dedupKey.isEmpty, dedupKey.count <= 200 else { throw RuleError("dedup_key must be 1-200 characters") }
        guard !summary.isEmpty, summary.count <= 500 else { throw RuleError("summary must be 1-500 characters") }
        guard (0...2_592_000).contains(throttleSeconds) else { throw RuleError("throttle_seconds must be 0...2592000") }
        if let escalateAfterSeconds, !(1...2_592_000).contains(escalateAfterSeconds) {
            throw RuleError("escalate_after_seconds must be 1...2592000")
        }
    }
}

/// A rule that cannot be used; ``message`` says why.
struct RuleError: Error, Sendable, CustomStringConvertible {
    var message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}

