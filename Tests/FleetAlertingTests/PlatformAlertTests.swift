import FleetCore
import FleetService
import FleetTestSupport
import FleetWebhooks
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import FleetAlerting

/// An Alertmanager notification (payload version 4) as Alertmanager 0.25 sends it: nanosecond timestamps, the
/// zero time as `endsAt` of a firing alert.
private func notification(
    status: String, alertname: String = "FleetServiceDown", severity: String = "critical", fingerprint: String = "a1b2c3d4e5f60718",
    startsAt: String = "2026-12-07T01:02:03.123456789Z", summary: String = "fleet-routing is down"
) -> String {
    let endsAt = status == "resolved" ? "2026-12-07T01:12:03.5Z" : "0001-01-01T00:00:00Z"
    return #"""
        {"receiver":"fleet-alerting","status":"\#(status)","version":"4","groupKey":"{}:{alertname=\"\#(alertname)\"}",
         "truncatedAlerts":0,"externalURL":"http://127.0.0.1:9093","groupLabels":{"alertname":"\#(alertname)"},
         "commonLabels":{},"commonAnnotations":{},
         "alerts":[{"status":"\#(status)","labels":{"alertname":"\#(alertname)","job":"fleet-routing","instance":"127.0.0.1:8085",
           "severity":"\#(severity)"},"annotations":{"summary":"\#(summary)","description":"Prometheus cannot scrape it.",
           "runbook_url":"docs/observability-alerts.md#fleetservicedown"},"startsAt":"\#(startsAt)","endsAt":"\#(endsAt)",
           "generatorURL":"http://127.0.0.1:9090/graph?g0.expr=up+%3D%3D+0","fingerprint":"\#(fingerprint)"}]}
        """#
}

@Suite("Platform alerts from Alertmanager")
struct PlatformAlertConversionTests {
    @Test("A firing alert becomes a platform_alert event with its labels and annotations; the id is stable per status")
    func conversion() throws {
        let body = try JSONDecoder().decode(AlertmanagerNotification.self, from: Data(notification(status: "firing").utf8))
        let (events, refusals) = body.events(receivedAt: Date())
        #expect(refusals.isEmpty)
        let event = try #require(events.first)
        #expect(event.type == .platformAlert && event.severity == .critical && event.vehicleID == nil)
        #expect(event.attributes["alertname"] == "FleetServiceDown")
        #expect(event.attributes["summary"] == "fleet-routing is down")
        #expect(event.attributes["job"] == "fleet-routing" && event.attributes["instance"] == "127.0.0.1:8085")
        #expect(event.attributes["runbook_url"] == "docs/observability-alerts.md#fleetservicedown")
        let again = try #require(body.events(receivedAt: Date().addingTimeInterval(60)).events.first)
        #expect(again.id == event.id, "a repeated notification carries the same id")
        let resolved = try JSONDecoder().decode(AlertmanagerNotification.self, from: Data(notification(status: "resolved").utf8))
        let clearing = try #require(resolved.events(receivedAt: Date()).events.first)
        #expect(clearing.type == .platformAlertResolved && clearing.id != event.id)
        #expect(AlertRule.platform.dedupKey(for: clearing) == AlertRule.platform.dedupKey(for: event))
        #expect(AlertRule.platform.clears(clearing))
    }

    @Test("Severities map onto Fleet's; unknown ones are warnings")
    func severities() {
        #expect(AlertmanagerNotification.severity("critical") == .critical)
        #expect(AlertmanagerNotification.severity("page") == .critical)
        #expect(AlertmanagerNotification.severity("ticket") == .warning)
        #expect(AlertmanagerNotification.severity("info") == .info)
        #expect(AlertmanagerNotification.severity(nil) == .warning)
        #expect(AlertmanagerNotification.severity("whatever") == .warning)
    }

    @Test("Bad alerts are refused one by one with the reason; long values are clipped to what an event holds")
    func refusals() throws {
        let long = String(repeating: "x", count: 2_000)
        let json = #"""
            {"version":"4","alerts":[
              {"status":"pending","labels":{"alertname":"A"},"startsAt":"2026-12-07T00:00:00Z"},
              {"status":"firing","labels":{},"startsAt":"2026-12-07T00:00:00Z"},
              {"status":"firing","labels":{"alertname":"B"},"startsAt":"2026-12-07T00:00:00Z","fingerprint":"not/hex!"},
              {"status":"firing","labels":{"alertname":"C","Team":"ops","bad key":"v"},"annotations":{"description":"\#(long)"},
               "startsAt":"2026-12-07T00:00:00Z"}]}
            """#
        let body = try JSONDecoder().decode(AlertmanagerNotification.self, from: Data(json.utf8))
        let (events, refusals) = body.events(receivedAt: Date())
        #expect(refusals.map(\.index) == [0, 1, 2])
        #expect(refusals[0].reason.contains("status"))
        #expect(refusals[1].reason.contains("alertname"))
        #expect(refusals[2].reason.contains("fingerprint"))
        let event = try #require(events.first)
        #expect(event.attributes["description"]?.count == 256)
        #expect(event.attributes["team"] == "ops", "label keys are lower-cased")
        #expect(event.attributes["bad key"] == nil)
        #expect(event.attributes["fingerprint"]?.count == 16, "a missing fingerprint is derived from the labels")
        #expect(event.attributes["summary"] == "C")
    }
}

@Suite(
    "Platform alerts end to end (PostgreSQL + signed webhook)", .serialized,
    .enabled(if: TestPostgres.isConfigured, "FLEET_POSTGRES_HOST is not set"), .timeLimit(.minutes(3)))
struct PlatformAlertEndToEndTests {
    @Test("Firing → one signed alert.firing; a repeat is dropped; resolved → alert.resolved; counters follow")
    func firingRepeatResolved() async throws {
        // Before the service makes its metrics, so they reach this registry.
        let registry = FleetMetrics.bootstrap()
        let receiver = WebhookReceiver(port: try TestBroker.freePort())
        try await withAlertingHarness { harness in
            let h = harness
            try await receiver.serve {
                try await h.run { client in
                    let webhook = try await client.createWebhook(url: receiver.url)
                    let secret = try #require(webhook.secret)
                    let before = MetricsProbe(registry)

                    let fired = try await client.json(
                        PlatformAlertController<AppRequestContext>.Result.self, .post, "/v1/platform-alerts",
                        body: notification(status: "firing"))
                    #expect(fired.accepted == 1 && fired.fired == 1 && fired.duplicates == 0 && fired.refused.isEmpty)
                    try await eventually("alert.firing delivered") { receiver.received.count == 1 }
                    let delivery = receiver.received[0]
                    #expect(
                        try SignatureVerifier.verify(
                            secret: secret, id: try #require(delivery.headers["webhook-id"]),
                            timestamp: try #require(delivery.headers["webhook-timestamp"]),
                            signature: try #require(delivery.headers["webhook-signature"]), body: delivery.body))
                    let payload = try #require(try JSONSerialization.jsonObject(with: Data(delivery.body.utf8)) as? [String: Any])
                    #expect(payload["type"] as? String == "alert.firing")
                    let alert = try #require((payload["data"] as? [String: Any])?["alert"] as? [String: Any])
                    #expect(alert["rule_id"] as? String == "platform")
                    #expect(alert["severity"] as? String == "critical")
                    #expect(alert["summary"] as? String == "fleet-routing is down")
                    #expect(alert["event_type"] as? String == "platform_alert")

                    // Alertmanager's repeat_interval resends the same notification: nothing new happens.
                    let repeated = try await client.json(
                        PlatformAlertController<AppRequestContext>.Result.self, .post, "/v1/platform-alerts",
                        body: notification(status: "firing"))
                    #expect(repeated.duplicates == 1 && repeated.accepted == 0 && repeated.fired == 0)

                    let resolved = try await client.json(
                        PlatformAlertController<AppRequestContext>.Result.self, .post, "/v1/platform-alerts",
                        body: notification(status: "resolved"))
                    #expect(resolved.resolved == 1)
                    try await eventually("alert.resolved delivered") {
                        receiver.received.contains { $0.body.contains(#""type":"alert.resolved""#) }
                    }
                    #expect(receiver.received.count == 2, "the repeat sent nothing")
                    let alerts = try await client.alerts("?rule_id=platform")
                    #expect(alerts.count == 1 && alerts.first?.status == "resolved")

                    let after = MetricsProbe(registry)
                    let labels = { (status: String, outcome: String) in ["status": status, "outcome": outcome] }
                    let metric = "fleet_alerting_platform_alerts_total"
                    // The counters are process-wide: the report-data suite, running beside this one, posts one firing platform
                    // alert of its own (no repeat, no resolution), so only this count may be higher.
                    #expect(after.value(metric, labels("firing", "accepted")) - before.value(metric, labels("firing", "accepted")) >= 1)
                    #expect(after.value(metric, labels("firing", "duplicate")) - before.value(metric, labels("firing", "duplicate")) == 1)
                    #expect(after.value(metric, labels("resolved", "accepted")) - before.value(metric, labels("resolved", "accepted")) == 1)
                }
            }
        }
    }

    @Test("Malformed notifications get a 400 naming the problem and are counted; a partly bad one takes the good alerts")
    func badInput() async throws {
        let registry = FleetMetrics.bootstrap()
        try await withAlertingHarness { harness in
            try await harness.run { client in
                let before = MetricsProbe(registry)
                for (body, expected) in [
                    ("not json", "JSON"), (#"{"version":"3","alerts":[]}"#, "version"), (#"{"version":"4","alerts":[]}"#, "empty"),
                    (#"{"version":"4","alerts":[{"status":"firing","labels":{},"startsAt":"x"}]}"#, "alertname"),
                ] {
                    let (status, text) = try await client.raw(.post, "/v1/platform-alerts", body: body)
                    #expect(status == .badRequest, "\(body): \(text)")
                    #expect(text.localizedCaseInsensitiveContains(expected), "\(body): \(text)")
                }
                let after = MetricsProbe(registry)
                let resource = ["resource": "platform-alerts"]
                // At least: the registry is the test process's, and the access-matrix suite, running alongside, also sends
                // bodies that are refused to /v1/platform-alerts (a CI run counted 5).
                #expect(after.value("fleet_alerting_invalid_requests_total", resource) - before.value("fleet_alerting_invalid_requests_total", resource) >= 4)

                let mixed = #"""
                    {"version":"4","alerts":[{"status":"firing","labels":{"alertname":"Good","severity":"warning"},"startsAt":"2026-12-07T00:00:00Z","fingerprint":"00ff"},
                    {"status":"firing","labels":{"alertname":"Bad"},"startsAt":"2026-12-07T00:00:00Z","fingerprint":"../../etc"}]}
                    """#
                let result = try await client.json(PlatformAlertController<AppRequestContext>.Result.self, .post, "/v1/platform-alerts", body: mixed)
                #expect(result.accepted == 1 && result.refused.count == 1 && result.refused[0].hasPrefix("alerts[1]"))
                let alerts = try await client.alerts("?rule_id=platform")
                #expect(alerts.map(\.summary) == ["Good"] && alerts.first?.severity == "warning")
            }
        }
    }

    @Test("An operator's rule for platform_alert replaces the built-in one")
    func operatorRule() async throws {
        try await withAlertingHarness { harness in
            try await harness.run { client in
                try await client.createRule(
                    #"{"id":"platform-paging","event_types":["platform_alert"],"severity":"critical","dedup_key":"{rule}:{attr.alertname}","summary":"PAGE {attr.alertname}"}"#)
                _ = try await client.json(
                    PlatformAlertController<AppRequestContext>.Result.self, .post, "/v1/platform-alerts",
                    body: notification(status: "firing", severity: "warning"))
                let alerts = try await client.alerts()
                #expect(alerts.map(\.ruleID) == ["platform-paging"])
                #expect(alerts.first?.severity == "critical" && alerts.first?.summary == "PAGE FleetServiceDown")
            }
        }
    }
}
