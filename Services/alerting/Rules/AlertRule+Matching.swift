import FleetCore
import Foundation

extension AlertRule {
    /// Clearing event types used when a rule does not list `resolve_on`.
    static let defaultClearing: [FleetEventType: [FleetEventType]] = [
        .offline: [.online],
        .fault: [.faultCleared],
        .stopped: [.moving],
        .moving: [.stopped],
        .geofenceEnter: [.geofenceExit],
        .geofenceExit: [.geofenceEnter],
        .lowBattery: [.lowBatteryCleared],
        .lowFuel: [.lowFuelCleared],
        .overheating: [.overheatingCleared],
        .silent: [.silentCleared, .offline],
        .platformAlert: [.platformAlertResolved],
    ]

    /// Event types that are announcements, not alerts: no rule may name them, none matches or clears on them
    /// (`report_ready` becomes a `report.ready` webhook message instead).
    static let notAlertable: Set<FleetEventType> = [.reportReady]

    /// Whether `event` fires this rule.
    func matches(_ event: FleetEvent) -> Bool {
        guard enabled, eventTypes.contains(event.type.rawValue), event.severity >= minSeverity, !Self.notAlertable.contains(event.type)
        else { return false }
        if !vehicles.isEmpty {
            guard let vehicle = event.vehicleID?.rawValue, vehicles.contains(vehicle) else { return false }
        }
        if !tags.isEmpty {
            let eventTags = Self.tags(of: event)
            guard tags.contains(where: eventTags.contains) else { return false }
        }
        return true
    }

    /// The event types that resolve this rule's open alerts.
    var clearingTypes: Set<String> {
        if let resolveOn { return Set(resolveOn) }
        return Set(eventTypes.compactMap(FleetEventType.init(rawValue:)).flatMap { Self.defaultClearing[$0] ?? [] }.map(\.rawValue))
    }

    /// Whether `event` clears this rule's alert for the event's dedup key (vehicle filters apply, tags do not:
    /// a clearing event often carries no tags).
    func clears(_ event: FleetEvent) -> Bool {
        guard enabled, clearingTypes.contains(event.type.rawValue), !Self.notAlertable.contains(event.type) else { return false }
        if !vehicles.isEmpty {
            guard let vehicle = event.vehicleID?.rawValue, vehicles.contains(vehicle) else { return false }
        }
        return true
    }

    /// The dedup key for `event`, at most 256 characters.
    func dedupKey(for event: FleetEvent) -> String {
        String(Self.render(dedupKey, rule: id, event: event).prefix(256))
    }

    /// The summary for `event`, at most 1024 characters.
    func summary(for event: FleetEvent) -> String {
        let text = Self.render(summary, rule: id, event: event)
        return text.isEmpty ? "\(event.type.rawValue) alert" : String(text.prefix(1024))
    }

    /// Tags of an event: attribute `tags` (comma-separated) and attribute `tag`.
    static func tags(of event: FleetEvent) -> Set<String> {
        var result = Set<String>()
        if let list = event.attributes["tags"] {
            for tag in list.split(separator: ",") {
                let trimmed = tag.trimmingCharacters(in: .whitespaces)
                if !trimmed.isEmpty { result.insert(trimmed) }
            }
        }
        if let tag = event.attributes["tag"], !tag.isEmpty { result.insert(tag) }
        return result
    }

    /// Replaces `{rule}`, `{vehicle}`, `{type}`, `{severity}` and `{attr.NAME}` (missing values become `-`).
    static func render(_ template: String, rule: String, event: FleetEvent) -> String {
        var output = ""
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            output += rest[..<open]
            guard let close = rest[open...].firstIndex(of: "}") else {
                output += rest[open...]
                return output
            }
            let name = rest[rest.index(after: open)..<close]
            switch name {
            case "rule": output += rule
            case "vehicle": output += event.vehicleID?.rawValue ?? "-"
            case "type": output += event.type.rawValue
            case "severity": output += event.severity.rawValue
            default:
                if name.hasPrefix("attr.") {
                    output += event.attributes[String(name.dropFirst(5))] ?? "-"
                } else {
                    output += rest[open...close]
                }
            }
            rest = rest[rest.index(after: close)...]
        }
        output += rest
        return output
    }
}
