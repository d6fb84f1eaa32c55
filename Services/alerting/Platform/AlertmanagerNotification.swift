import Crypto
import FleetCore
import Foundation

/// The body Alertmanager POSTs to a webhook receiver (`webhook_config`, payload version 4).
///
/// Only what Fleet uses is decoded; unknown fields are ignored, as Alertmanager adds fields over time.
struct AlertmanagerNotification: Decodable, Sendable {
    /// One alert of the notification.
    struct Alert: Decodable, Sendable {
        var status: String
        var labels: [String: String]
        var annotations: [String: String]?
        var startsAt: String
        var endsAt: String?
        var generatorURL: String?
        var fingerprint: String?
    }

    /// `"4"` for every Alertmanager since 0.9.
    var version: String
    var alerts: [Alert]

    /// Most alerts one notification may carry (Alertmanager's `max_alerts` is unlimited by default, but a group this
    /// large means a misconfigured grouping rather than news for a person).
    static let maxAlerts = 1_000
    /// Labels copied into the event's attributes besides `alertname` and `severity` (the event allows 32 attributes).
    static let maxCopiedLabels = 16

    /// Why one alert of a notification was not taken.
    struct Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        var index: Int
        var reason: String
        var description: String { "alerts[\(index)]: \(reason)" }
    }

    /// The fleet events for the alerts: `platform_alert` for firing ones, `platform_alert_resolved` for resolved ones.
    /// The event id is derived from the alert's fingerprint, start and status, so Alertmanager's repeats of the same
    /// notification are dropped as duplicates by id.
    func events(receivedAt now: Date) -> (events: [FleetEvent], refusals: [Refusal]) {
        var events: [FleetEvent] = []
        var refusals: [Refusal] = []
        for (index, alert) in alerts.enumerated() {
            switch Self.event(for: alert, receivedAt: now) {
            case .success(let event): events.append(event)
            case .failure(let reason): refusals.append(Refusal(index: index, reason: reason.description))
            }
        }
        return (events, refusals)
    }

    private struct Reason: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    private static func event(for alert: Alert, receivedAt now: Date) -> Result<FleetEvent, Reason> {
        let type: FleetEventType
        switch alert.status {
        case "firing": type = .platformAlert
        case "resolved": type = .platformAlertResolved
        default: return .failure(Reason("status must be firing or resolved (got \"\(alert.status.prefix(32))\")"))
        }
        guard let name = alert.labels["alertname"], !name.isEmpty, name.count <= 200 else {
            return .failure(Reason("labels.alertname must be 1-200 characters"))
        }
        guard !alert.startsAt.isEmpty, alert.startsAt.count <= 64 else { return .failure(Reason("startsAt is required")) }
        let fingerprint: String
        if let given = alert.fingerprint {
            guard !given.isEmpty, given.count <= 64, given.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
                return .failure(Reason("fingerprint must be 1-64 letters or digits"))
            }
            fingerprint = given
        } else {
            fingerprint = Self.hash(alert.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "\u{1}"), length: 16)
        }

        var attributes: [String: String] = [
            "alertname": Self.clip(name),
            "fingerprint": fingerprint,
            "starts_at": Self.clip(alert.startsAt),
        ]
        let annotations = alert.annotations ?? [:]
        attributes["summary"] = Self.clip(annotations["summary"] ?? Self.defaultSummary(name: name, labels: alert.labels))
        for key in ["description", "runbook_url"] {
            if let value = annotations[key], !value.isEmpty { attributes[key] = Self.clip(value) }
        }
        if let url = alert.generatorURL, !url.isEmpty { attributes["generator_url"] = Self.clip(url) }
        var copied = 0
        for (key, value) in alert.labels.sorted(by: { $0.key < $1.key }) where key != "alertname" && copied < maxCopiedLabels {
            let attributeKey = key.lowercased()
            guard attributes[attributeKey] == nil, Self.isAttributeKey(attributeKey), !value.isEmpty else { continue }
            attributes[attributeKey] = Self.clip(value)
            copied += 1
        }
        let id = "pa-" + Self.hash("\(alert.status)\u{1}\(fingerprint)\u{1}\(alert.startsAt)", length: 40)
        let event = FleetEvent(
            id: MessageID(validating: id)!, type: type, severity: Self.severity(alert.labels["severity"]), vehicleID: nil,
            timeMillis: Int64((now.timeIntervalSince1970 * 1_000).rounded()), attributes: attributes)
        do {
            try event.validate()
        } catch {
            return .failure(Reason(error.description))
        }
        return .success(event)
    }

    /// Prometheus rule severities map onto Fleet's; the SRE workbook's page/ticket words are understood too, anything
    /// else is a warning.
    static func severity(_ label: String?) -> Severity {
        switch label?.lowercased() {
        case "critical", "page", "error": .critical
        case "info", "none", "informational": .info
        default: .warning
        }
    }

    private static func defaultSummary(name: String, labels: [String: String]) -> String {
        let place = [labels["job"], labels["instance"]].compactMap { $0 }.joined(separator: " ")
        return place.isEmpty ? name : "\(name) on \(place)"
    }

    /// Attribute keys are `[a-z0-9._-]{1,64}` (``FleetEvent/validate()``).
    private static func isAttributeKey(_ key: String) -> Bool {
        !key.isEmpty && key.count <= 64 && key.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 46 || $0 == 95 || $0 == 45 }
    }

    /// Event attribute values hold at most 256 characters.
    private static func clip(_ value: String) -> String {
        value.count <= 256 ? value : String(value.prefix(255)) + "…"
    }

    private static func hash(_ text: String, length: Int) -> String {
        SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined().prefix(length).description
    }
}
