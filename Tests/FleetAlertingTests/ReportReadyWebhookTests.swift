import FleetCore
import FleetService
import FleetTestSupport
import FleetWebhooks
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import FleetAlerting

/// A `report_ready` event as fleet-tracking publishes it: no vehicle, severity info, the report in its attributes.
/// `changes` sets attributes, or removes them with `nil`.
private func reportReadyEvent(
    _ reportID: String, tag: String? = nil, unavailable: String = "", changes: [String: String?] = [:]
) -> FleetEvent {
    var attributes = [
        "report_id": reportID, "title": "Weekly fleet report", "kind": "weekly", "from_ms": "1764547200000",
        "to_ms": "1765152000000", "html": "/v1/reports/\(reportID)/files/report.html",
        "files": "report.html, report.json,vehicles.csv", "vehicles": "12", "unavailable": unavailable,
    ]
    if let tag { attributes["tag"] = tag }
    for (name, value) in changes { attributes[name] = value }
    return FleetEvent(
        id: .random(), type: .reportReady, severity: .info, vehicleID: nil, timeMillis: Int64(Date().timeIntervalSince1970 * 1000),
        attributes: attributes)
}

/// The value of a sample without labels (`name value`), 0 when absent (``MetricsProbe`` reads labelled samples).
private func unlabelled(_ probe: MetricsProbe, _ metric: String) -> Double {
    probe.text.split(separator: "\n").first { $0.hasPrefix("\(metric) ") }.flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0
}

@Suite("report.ready message building and rules")
struct ReportReadyMessageTests {
    @Test("A report_ready event's attributes become the report: ISO 8601 period, lists split and trimmed, no tag when fleet-wide")
    func parsing() throws {
        let event = reportReadyEvent("rep_1", unavailable: "health, routing")
        let report = try WebhookPayload.ReportContext(event: event)
        #expect(report.id == "rep_1" && report.title == "Weekly fleet report" && report.kind == "weekly")
        #expect(report.from == "2025-12-01T00:00:00.000Z" && report.to == "2025-12-08T00:00:00.000Z")
        #expect(report.tag == nil && report.vehicles == 12 && report.html == "/v1/reports/rep_1/files/report.html")
        #expect(report.files == ["report.html", "report.json", "vehicles.csv"])
        #expect(report.unavailable == ["health", "routing"])

        let tagged = try WebhookPayload.ReportContext(event: reportReadyEvent("rep_2", tag: "north", changes: ["unavailable": nil]))
        #expect(tagged.tag == "north" && tagged.unavailable == [])
        #expect(try WebhookPayload.ReportContext(event: reportReadyEvent("rep_3", tag: "")).tag == nil)
        #expect(try WebhookPayload.ReportContext(event: reportReadyEvent("rep_4", changes: ["kind": "on_demand"])).kind == "on_demand")

        let payload = WebhookPayload.report(report, event: event)
        let body = try payload.encoded()
        #expect(payload.type == "report.ready")
        #expect(body.contains(#""type":"report.ready""#) && body.contains(#""files":["report.html","report.json","vehicles.csv"]"#))
        #expect(!body.contains(#""alert""#) && !body.contains(#""tag""#))
        #expect(payload.data.event == WebhookPayload.EventContext(event))
    }

    @Test(
        "An event that breaks the contract names the attribute",
        arguments: [
            ("report_id", nil, WireError.Kind.missingField), ("title", " ", .invalidValue), ("kind", "monthly", .invalidValue),
            ("from_ms", "yesterday", .invalidValue), ("to_ms", "1764547200000", .invalidValue), ("html", "https://evil.example/x", .invalidValue),
            ("files", "", .invalidValue), ("files", "report.html,../secret", .invalidValue), ("vehicles", "-1", .invalidValue),
            ("vehicles", nil, .missingField),
        ] as [(String, String?, WireError.Kind)])
    func contract(attribute: String, value: String?, kind: WireError.Kind) {
        let error = #expect(throws: ReportEventError.self) {
            try WebhookPayload.ReportContext(event: reportReadyEvent("rep_bad", changes: [attribute: value]))
        }
        #expect(error?.attribute == attribute && error?.kind == kind, "\(String(describing: error))")
    }

    @Test("Rules cannot name report_ready; no rule matches or clears on it; webhooks may subscribe to report.ready")
    func rules() {
        let named = #expect(throws: RuleError.self) { try AlertRule(id: "r", eventTypes: ["report_ready"]).validate() }
        #expect(named?.message.contains("report.ready") == true)
        #expect(throws: RuleError.self) { try AlertRule(id: "r", eventTypes: ["offline"], resolveOn: ["report_ready"]).validate() }
        let unknown = #expect(throws: RuleError.self) { try AlertRule(id: "r", eventTypes: ["teleport"]).validate() }
        #expect(unknown?.message.contains("offline") == true && unknown?.message.contains("report_ready") == false)

        // Even a rule that skipped validation (stored before) never fires or resolves on a report.
        let event = reportReadyEvent("rep_1")
        #expect(!AlertRule(id: "r", eventTypes: ["report_ready"]).matches(event))
        #expect(!AlertRule(id: "r", eventTypes: ["offline"], resolveOn: ["report_ready"]).clears(event))
        #expect(EventBatchPlan(events: [event], rules: [AlertRule(id: "r", eventTypes: ["report_ready"])]).isEmpty)
        #expect(WebhookFields.eventTypes.contains("report.ready"))
    }
}

@Suite(
    "report.ready webhooks end to end (broker + PostgreSQL + real receiver)", .serialized,
    .enabled(if: TestPostgres.isConfigured, "FLEET_POSTGRES_HOST is not set"), .timeLimit(.minutes(3)))
struct ReportReadyWebhookTests {
    @Test("A report_ready event → one signed report.ready per subscribed webhook; twice → once; alert.firing-only gets none; no alert")
    func delivered() async throws {
        // Before the service makes its metrics, so they reach this registry.
        let registry = FleetMetrics.bootstrap()
        let receiver = WebhookReceiver(port: try TestBroker.freePort())
        try await withAlertingHarness { harness in
            let h = harness
            try await receiver.serve {
                try await h.run { client in
                    try await client.createRule(#"{"id":"offline","event_types":["offline"],"severity":"warning"}"#)
                    // Every type (min_severity does not apply to reports, which have none), only reports, only alert.firing.
                    let all = try await client.createWebhook(url: receiver.url, extra: #","min_severity":"critical","headers":{"X-Hook":"all"}"#)
                    let reports = try await client.createWebhook(
                        url: receiver.url, extra: #","event_types":["report.ready"],"headers":{"X-Hook":"reports"}"#)
                    let firing = try await client.createWebhook(
                        url: receiver.url, extra: #","event_types":["alert.firing"],"headers":{"X-Hook":"alerts"}"#)
                    #expect(reports.eventTypes == ["report.ready"])
                    let before = MetricsProbe(registry)

                    // The report twice back to back (one batch, most likely) next to a vehicle's event that fires an alert.
                    let report = reportReadyEvent("rep_w49", unavailable: "health,routing")
                    try await h.publish([report, report, event(.offline, "van-1")])
                    try await eventually("report.ready at both report webhooks, alert.firing at the alert one") {
                        receiver.received.count >= 3
                    }
                    // Republished after it was applied, then a second report as a fence: both go to the same consumer
                    // partition in order, so once the second report is in, the repeat has been handled.
                    let second = reportReadyEvent("rep_north", tag: "north")
                    try await h.publish([report, second])
                    try await eventually("the second report at both report webhooks") {
                        receiver.received.filter { $0.body.contains("rep_north") }.count >= 2
                    }
                    try await eventually("every delivery recorded") {
                        for webhook in [all, reports, firing] {
                            guard try await client.deliveries(webhook.id).allSatisfy({ $0.status == "delivered" }) else { return false }
                        }
                        return true
                    }

                    let received = receiver.received
                    let byHook = Dictionary(grouping: received) { $0.headers["x-hook"] ?? "" }
                    for (hook, webhook) in [("all", all), ("reports", reports)] {
                        let messages = byHook[hook] ?? []
                        #expect(messages.count == 2, "\(hook): one message per report, none for the repeat or the alert")
                        let first = try #require(messages.first { $0.body.contains("rep_w49") })
                        #expect(
                            try SignatureVerifier.verify(
                                secret: try #require(webhook.secret), id: first.id, timestamp: first.timestamp, signature: first.signature,
                                body: first.body))
                        let payload = try JSONDecoder().decode(WebhookPayload.self, from: Data(first.body.utf8))
                        #expect(payload.type == "report.ready" && payload.data.alert == nil && payload.data.vehicle == nil)
                        let body = try #require(payload.data.report)
                        #expect(body.id == "rep_w49" && body.title == "Weekly fleet report" && body.kind == "weekly")
                        #expect(body.from == "2025-12-01T00:00:00.000Z" && body.to == "2025-12-08T00:00:00.000Z")
                        #expect(body.tag == nil && !first.body.contains(#""tag""#), "fleet-wide: no tag")
                        #expect(body.vehicles == 12 && body.html == "/v1/reports/rep_w49/files/report.html")
                        #expect(body.files == ["report.html", "report.json", "vehicles.csv"] && body.unavailable == ["health", "routing"])
                        let context = try #require(payload.data.event)
                        #expect(context.id == report.id.rawValue && context.type == "report_ready" && context.severity == "info")
                        #expect(context.vehicleID == nil && context.attributes["report_id"] == "rep_w49")
                        let tagged = try #require(messages.first { $0.body.contains("rep_north") })
                        let taggedReport = try JSONDecoder().decode(WebhookPayload.self, from: Data(tagged.body.utf8)).data.report
                        #expect(taggedReport?.tag == "north" && taggedReport?.unavailable.isEmpty == true)

                        let deliveries = try await client.deliveries(webhook.id)
                        #expect(deliveries.count == 2 && deliveries.allSatisfy { $0.eventType == "report.ready" && $0.alertID == nil })
                        #expect(Set(deliveries.map(\.id)) == Set(messages.map(\.id)), "webhook-id is the delivery id")
                    }
                    let alertMessages = byHook["alerts"] ?? []
                    #expect(alertMessages.count == 1 && alertMessages.allSatisfy { $0.body.contains(#""type":"alert.firing""#) })
                    #expect(!alertMessages.contains { $0.body.contains("report.ready") })
                    #expect(received.count == 5)

                    let alerts = try await client.alerts()
                    #expect(alerts.map(\.eventType) == ["offline"], "the reports made no alert")
                    let after = MetricsProbe(registry)
                    let metric = "fleet_alerting_report_messages_total"
                    #expect(unlabelled(after, metric) - unlabelled(before, metric) == 4, "two reports × two webhooks")
                }
            }
        }
    }

    @Test("A report_ready event that breaks the contract is refused and counted; rules naming report_ready get a 422")
    func refused() async throws {
        let registry = FleetMetrics.bootstrap()
        let receiver = WebhookReceiver(port: try TestBroker.freePort())
        try await withAlertingHarness { harness in
            let h = harness
            try await receiver.serve {
                try await h.run { client in
                    for body in [
                        #"{"id":"reports","event_types":["report_ready"]}"#,
                        #"{"id":"reports","event_types":["offline"],"resolve_on":["report_ready"]}"#,
                    ] {
                        let (status, text) = try await client.raw(.post, "/v1/rules", body: body)
                        #expect(status == .unprocessableContent && text.contains("report.ready"), "\(body): \(text)")
                    }
                    let (status, text) = try await client.raw(.post, "/v1/webhooks", body: #"{"url":"\#(receiver.url)","event_types":["report_ready"]}"#)
                    #expect(status == .badRequest && text.contains("report.ready"), "the webhook type is report.ready: \(text)")

                    let webhook = try await client.createWebhook(url: receiver.url, extra: #","event_types":["report.ready"]"#)
                    let before = MetricsProbe(registry)
                    try await h.publish([
                        reportReadyEvent("rep_missing", changes: ["report_id": nil]),
                        reportReadyEvent("rep_monthly", changes: ["kind": "monthly"]),
                        reportReadyEvent("rep_good"),
                    ])
                    try await eventually("the valid report delivered") {
                        try await client.deliveries(webhook.id, "?status=delivered").count == 1
                    }
                    #expect(receiver.received.count == 1 && receiver.received.allSatisfy { $0.body.contains("rep_good") })
                    #expect(try await client.deliveries(webhook.id).count == 1)
                    let after = MetricsProbe(registry)
                    let metric = "fleet_alerting_events_rejected_total"
                    for reason in ["missingField", "invalidValue"] {
                        #expect(after.value(metric, ["reason": reason]) - before.value(metric, ["reason": reason]) >= 1, "\(reason)")
                    }
                    #expect(try await client.alerts().isEmpty)
                }
            }
        }
    }
}
