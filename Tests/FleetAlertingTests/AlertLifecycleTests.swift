import Configuration
import FleetCore
import FleetTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import FleetAlerting

@Suite(
    "Alert lifecycle (broker + PostgreSQL)", .serialized,
    .enabled(if: TestPostgres.isConfigured, "FLEET_POSTGRES_HOST is not set"))
struct AlertLifecycleTests {
    @Test("Rules from the file and the API fire; dedup counts repeats; the API filters, acknowledges and resolves")
    func fireDedupAckResolve() async throws {
        let rulesFile = FileManager.default.temporaryDirectory.appendingPathComponent("rules-\(UUID()).json")
        defer { try? FileManager.default.removeItem(at: rulesFile) }
        try #"{"rules":[{"id":"offline","event_types":["offline"],"severity":"critical","summary":"{vehicle} offline"}]}"#
            .write(to: rulesFile, atomically: true, encoding: .utf8)
        try await withAlertingHarness { harness in
            harness.set("fleet.alerting.rulesFile", .init(.string(rulesFile.path), isSecret: false))
            let h = harness
            try await h.run { client in
                try await client.createRule(#"{"id":"cold-battery","event_types":["low_battery"],"tags":["cold"],"min_severity":"warning"}"#)
                try await h.publish([
                    event(.offline, "van-1"), event(.offline, "van-1"), event(.offline, "van-1"),
                    event(.lowBattery, "van-2", attributes: ["tags": "cold,north"]),
                    event(.lowBattery, "van-3", attributes: ["tags": "dry"]),  // no matching tag
                    event(.lowBattery, "van-4", severity: .info, attributes: ["tag": "cold"]),  // below min severity
                ])
                try await eventually("two alerts, three offline occurrences") {
                    let alerts = try await client.alerts()
                    return alerts.count == 2 && alerts.first { $0.ruleID == "offline" }?.occurrences == 3
                }
                let offline = try #require(try await client.alerts("?rule_id=offline").first)
                #expect(offline.status == "firing" && offline.severity == "critical" && offline.summary == "van-1 offline")
                #expect(offline.dedupKey == "offline:van-1" && offline.vehicleID == "van-1")
                #expect(try await client.alerts("?vehicle_id=van-2").map(\.ruleID) == ["cold-battery"])
                #expect(try await client.alerts("?severity=critical").count == 1)

                let acked = try await client.json(AlertResource.self, .post, "/v1/alerts/\(offline.id)/ack", body: #"{"by":"ops"}"#)
                #expect(acked.status == "acknowledged" && acked.acknowledgedBy == "ops" && acked.acknowledgedAt != nil)
                #expect(try await client.alerts("?status=acknowledged").map(\.id) == [offline.id])
                let again = try await client.json(AlertResource.self, .post, "/v1/alerts/\(offline.id)/ack")
                #expect(again.status == "acknowledged", "idempotent")
                let resolved = try await client.json(AlertResource.self, .post, "/v1/alerts/\(offline.id)/resolve")
                #expect(resolved.status == "resolved" && resolved.resolvedAt != nil)
                let (status, body) = try await client.raw(.post, "/v1/alerts/\(offline.id)/ack")
                #expect(status == .conflict && body.contains("resolved"))

                // A new offline event after resolution opens a new alert for the same key.
                try await h.publish([event(.offline, "van-1")])
                try await eventually("a second offline alert") { try await client.alerts("?rule_id=offline").count == 2 }

                let rules = try await client.raw(.get, "/v1/rules")
                #expect(rules.1.contains(#""source":"file""#) && rules.1.contains(#""source":"api""#))
                let (deleteFile, _) = try await client.raw(.delete, "/v1/rules/offline")
                #expect(deleteFile == .conflict)
            }
        }
    }

    @Test("Throttle window suppresses re-firing; a clearing event auto-resolves")
    func throttleAndAutoResolve() async throws {
        try await withAlertingHarness { harness in
            let h = harness
            try await h.run { client in
                try await client.createRule(#"{"id":"speed","event_types":["overspeed"],"throttle_seconds":3600,"resolve_on":["stopped"]}"#)
                try await client.createRule(#"{"id":"offline","event_types":["offline"]}"#)
                try await client.createRule(#"{"id":"fault","event_types":["fault"],"dedup_key":"{rule}:{vehicle}:{attr.code}"}"#)
                try await h.publish([
                    event(.overspeed, "car-1"), event(.offline, "car-2"),
                    event(.fault, "car-3", attributes: ["code": "P1"]), event(.fault, "car-3", attributes: ["code": "P2"]),
                ])
                try await eventually("four alerts") { try await client.alerts().count == 4 }
                try await h.publish([
                    event(.stopped, "car-1"), event(.online, "car-2"), event(.faultCleared, "car-3", attributes: ["code": "P1"]),
                ])
                try await eventually("three auto-resolved") { try await client.alerts("?status=resolved").count == 3 }
                let resolved = try await client.alerts("?status=resolved")
                #expect(Set(resolved.compactMap(\.resolvedBy)) == ["auto:stopped", "auto:online", "auto:fault_cleared"])
                #expect(try await client.alerts("?status=firing").map(\.dedupKey) == ["fault:car-3:P2"])

                // Overspeed again within the throttle window: no new alert, the suppression is counted.
                try await h.publish([event(.overspeed, "car-1"), event(.overspeed, "car-1")])
                try await eventually("two suppressed") { try await client.alerts("?rule_id=speed").first?.suppressed == 2 }
                #expect(try await client.alerts("?rule_id=speed").count == 1)
                // Offline has no throttle: it fires again.
                try await h.publish([event(.offline, "car-2")])
                try await eventually("offline fired again") { try await client.alerts("?rule_id=offline").count == 2 }
            }
        }
    }

    @Test("An alert left unacknowledged escalates; an acknowledged one does not")
    func escalation() async throws {
        try await withAlertingHarness { harness in
            let h = harness
            try await h.run { client in
                try await client.createRule(
                    #"{"id":"stuck","event_types":["stopped"],"severity":"warning","escalate_after_seconds":3,"escalate_to":"critical","resolve_on":[]}"#)
                try await h.publish([event(.stopped, "bot-1"), event(.stopped, "bot-2")])
                try await eventually("two alerts") { try await client.alerts().count == 2 }
                let bot2 = try #require(try await client.alerts("?vehicle_id=bot-2").first)
                _ = try await client.json(AlertResource.self, .post, "/v1/alerts/\(bot2.id)/ack")
                try await eventually("bot-1 escalated") { try await client.alerts("?vehicle_id=bot-1").first?.escalatedAt != nil }
                let bot1 = try #require(try await client.alerts("?vehicle_id=bot-1").first)
                #expect(bot1.severity == "critical" && bot1.status == "firing")
                try await Task.sleep(for: .milliseconds(600))
                let bot2After = try #require(try await client.alerts("?vehicle_id=bot-2").first)
                #expect(bot2After.escalatedAt == nil && bot2After.severity == "warning")
            }
        }
    }

    @Test("Malformed events and bad API input get counted errors; the service keeps working")
    func badInput() async throws {
        try await withAlertingHarness { harness in
            let h = harness
            try await h.run { client in
                try await client.createRule(#"{"id":"offline","event_types":["offline"]}"#)
                try await h.publishRaw(Array("not json".utf8), topic: "fleet/v1/events/offline")
                try await h.publishRaw(Array(#"{"v":1,"id":"x","type":"offline"}"#.utf8), topic: "fleet/v1/events/offline")
                try await h.publish([event(.offline, "ok-1")])
                try await eventually("the valid event still fires") { try await client.alerts().count == 1 }

                let cases: [(HTTPRequest.Method, String, String?, HTTPResponse.Status)] = [
                    (.get, "/v1/alerts?status=burning", nil, .badRequest),
                    (.get, "/v1/alerts?limit=0", nil, .badRequest),
                    (.get, "/v1/alerts?updated_after=yesterday", nil, .badRequest),
                    (.get, "/v1/alerts/nope", nil, .notFound),
                    (.post, "/v1/alerts/nope/ack", nil, .notFound),
                    (.post, "/v1/rules", "{", .badRequest),
                    (.post, "/v1/rules", #"{"id":"x"}"#, .badRequest),
                    (.post, "/v1/rules", #"{"id":"x","event_types":["meteor"]}"#, .unprocessableContent),
                    (.post, "/v1/rules", #"{"id":"offline","event_types":["offline"]}"#, .conflict),
                    (.put, "/v1/rules/a", #"{"id":"b","event_types":["offline"]}"#, .unprocessableContent),
                    (.post, "/v1/webhooks", #"{"description":"no url"}"#, .badRequest),
                    (.post, "/v1/webhooks", #"{"url":"http://127.0.0.1:1/x","event_types":["alert.exploded"]}"#, .badRequest),
                    (.post, "/v1/webhooks", #"{"url":"http://127.0.0.1:1/x","headers":{"webhook-id":"forged"}}"#, .badRequest),
                    (.post, "/v1/webhooks", #"{"url":"http://127.0.0.1:1/x","min_severity":"apocalyptic"}"#, .badRequest),
                    (.get, "/v1/webhooks/nope/deliveries", nil, .notFound),
                ]
                for (method, uri, body, expected) in cases {
                    let (status, text) = try await client.raw(method, uri, body: body)
                    #expect(status == expected, "\(method) \(uri): \(text)")
                    #expect(text.contains(#""error""#) && text.contains(#""message""#), "\(uri): JSON error body")
                }
                let big = String(repeating: "x", count: 2 << 20)
                let (status, _) = try await client.raw(.post, "/v1/rules", body: big)
                #expect(status == .contentTooLarge)
            }
        }
    }

    @Test("A republished event (same id, as an outbox sends it again) is applied once; a new event with the same content is not dropped")
    func republishedEventIsAppliedOnce() async throws {
        try await withAlertingHarness { harness in
            let h = harness
            try await h.run { client in
                try await client.createRule(#"{"id":"battery","event_types":["low_battery"]}"#)
                let first = event(.lowBattery, "van-9")
                try await h.publish([first, first])
                try await h.publish([first])
                try await eventually("the first occurrence") { try await client.alerts("?rule_id=battery").first?.occurrences == 1 }
                // Published after the repeats: once it is counted, the repeats have been handled.
                try await h.publish([event(.lowBattery, "van-9")])
                try await eventually("the second, distinct event") { try await client.alerts("?rule_id=battery").first?.occurrences == 2 }
                try await Task.sleep(for: .milliseconds(300))
                #expect(try await client.alerts("?rule_id=battery").first?.occurrences == 2, "repeats of the first event were dropped")
            }
        }
    }
}
