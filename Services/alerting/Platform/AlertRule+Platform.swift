import FleetCore

extension AlertRule {
    /// The rule platform alerts (Prometheus → Alertmanager → `POST /v1/platform-alerts`) fire when no rule of the
    /// operator's handles `platform_alert`: one alert per Prometheus alert (alert name and fingerprint), resolved when
    /// Alertmanager reports it resolved, with the alert's own severity and summary. An operator's rule for
    /// `platform_alert` (for example with `escalate_after_seconds`) replaces it.
    static let platform = AlertRule(
        id: "platform", name: "Platform alert (Prometheus)", eventTypes: [FleetEventType.platformAlert.rawValue],
        dedupKey: "{rule}:{attr.alertname}:{attr.fingerprint}", summary: "{attr.summary}",
        resolveOn: [FleetEventType.platformAlertResolved.rawValue])

    /// `rules` plus ``platform`` unless one of them already handles platform alerts.
    static func withPlatformDefault(_ rules: [AlertRule]) -> [AlertRule] {
        let handled = rules.contains { $0.enabled && $0.eventTypes.contains(FleetEventType.platformAlert.rawValue) }
        return handled ? rules : rules + [platform]
    }
}
