import Configuration
import FleetCore
import FleetTestSupport
import FleetWebhooks
import Foundation
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

@testable import FleetAlerting

@Suite(
    "Webhook delivery (broker + PostgreSQL + real receiver)", .serialized,
    .enabled(if: TestPostgres.isConfigured, "FLEET_POSTGRES_HOST is not set"))
struct WebhookDeliveryTests {
    @Test("Signed delivery verified by Python; 500 then 200 is retried with the same webhook-id; the payload carries the alert")
    func signedRetriedDelivery() async throws {
        let receiver = WebhookReceiver(port: try TestBroker.freePort())
        receiver.script([.init(status: 500), .init(status: 500)])
        try await withAlertingHarness { harness in
            let h = harness
            try await receiver.serve {
                try await h.run { client in
                    try await client.createRule(#"{"id":"offline","event_types":["offline"],"severity":"critical"}"#)
                    let webhook = try await client.createWebhook(url: receiver.url, extra: #","headers":{"X-Team":"night-shift"}"#)
                    let secret = try #require(webhook.secret)
                    #expect(secret.hasPrefix("whsec_"))
                    try await h.publish([event(.offline, "truck-7", attributes: ["tags": "north"])])
                    try await eventually("delivered after two failures") { receiver.received.count == 3 }
                    try await eventually("recorded as delivered") {
                        try await client.deliveries(webhook.id).first?.status == "delivered"
                    }
                    let attempts = receiver.received
                    #expect(Set(attempts.map { $0.headers["webhook-id"] ?? "" }).count == 1, "stable webhook-id across retries")
                    #expect(Set(attempts.map(\.body)).count == 1, "same body on every attempt")
                    for attempt in attempts {
                        let id = try #require(attempt.headers["webhook-id"])
                        let timestamp = try #require(attempt.headers["webhook-timestamp"])
                        let signature = try #require(attempt.headers["webhook-signature"])
                        #expect(attempt.headers["x-team"] == "night-shift")
                        #expect(try SignatureVerifier.verify(secret: secret, id: id, timestamp: timestamp, signature: signature, body: attempt.body))
                        #expect(
                            try !SignatureVerifier.verify(
                                secret: secret, id: id, timestamp: timestamp, signature: signature, body: attempt.body + " "),
                            "the independent verifier rejects a tampered body")
                    }
                    let payload = try JSONSerialization.jsonObject(with: Data(attempts[0].body.utf8)) as? [String: Any]
                    #expect(payload?["type"] as? String == "alert.firing")
                    let data = payload?["data"] as? [String: Any]
                    #expect((data?["alert"] as? [String: Any])?["severity"] as? String == "critical")
                    #expect((data?["vehicle"] as? [String: Any])?["id"] as? String == "truck-7")
                    #expect((data?["vehicle"] as? [String: Any])?["tags"] as? [String] == ["north"])
                    let delivery = try #require(try await client.deliveries(webhook.id).first)
                    #expect(delivery.attempts == 3 && delivery.lastStatusCode == 200 && delivery.id == attempts[0].headers["webhook-id"])

                    // Acknowledging sends alert.acknowledged to the same endpoint.
                    let alert = try #require(try await client.alerts().first)
                    _ = try await client.json(AlertResource.self, .post, "/v1/alerts/\(alert.id)/ack")
                    try await eventually("ack delivered") { receiver.received.contains { $0.body.contains(#""type":"alert.acknowledged""#) } }
                }
            }
        }
    }

    @Test("Retry-After is honoured before the next attempt")
    func retryAfter() async throws {
        let receiver = WebhookReceiver(port: try TestBroker.freePort())
        receiver.script([.init(status: 503, headers: ["Retry-After": "2"])])
        try await withAlertingHarness { harness in
            let h = harness
            try await receiver.serve {
                try await h.run { client in
                    let webhook = try await client.createWebhook(url: receiver.url)
                    let (status, _) = try await client.raw(.post, "/v1/webhooks/\(webhook.id)/test")
                    #expect(status == .accepted)
                    try await eventually("second attempt") { receiver.received.count == 2 }
                    let gap = receiver.received[1].at - receiver.received[0].at
                    #expect(gap >= .milliseconds(1_900), "waited \(gap), Retry-After said 2 s (the backoff alone is ≤ 100 ms)")
                    #expect(receiver.received[0].body.contains(#""type":"webhook.test""#))
                }
            }
        }
    }

    @Test("Pending deliveries survive a service restart and are delivered by the next instance")
    func outboxSurvivesRestart() async throws {
        let receiver = WebhookReceiver(port: try TestBroker.freePort())
        try await withAlertingHarness { harness in
            let h = harness
            let webhookID = Mutex("")
            // First instance: the receiver is down (connection refused), so every delivery stays pending.
            try await h.run { client in
                try await client.createRule(#"{"id":"fault","event_types":["fault"],"dedup_key":"{rule}:{vehicle}:{attr.code}"}"#)
                let created = try await client.createWebhook(url: receiver.url).id
                webhookID.withLock { $0 = created }
                try await h.publish((1...5).map { event(.fault, "robot-1", attributes: ["code": "E\($0)"]) })
                try await eventually("five deliveries attempted and pending") {
                    let deliveries = try await client.deliveries(created)
                    return deliveries.count == 5 && deliveries.allSatisfy { $0.status == "pending" && $0.attempts >= 1 && $0.lastError != nil }
                }
            }
            // Second instance on the same schema, receiver up: everything arrives.
            let id = webhookID.withLock { $0 }
            try await receiver.serve {
                try await h.run { client in
                    try await eventually("all five delivered", seconds: 30) {
                        try await client.deliveries(id).allSatisfy { $0.status == "delivered" }
                    }
                    let ids = Set(receiver.received.compactMap { $0.headers["webhook-id"] })
                    #expect(ids.count == 5)
                    let codes = Set(
                        receiver.received.compactMap { received in
                            received.body.range(of: #"fault:robot-1:E\d"#, options: .regularExpression).map { String(received.body[$0]) }
                        })
                    #expect(codes.count == 5)
                }
            }
        }
    }

    @Test("A burst is applied in batches with the result of one event at a time; every message is delivered and recorded")
    func burst() async throws {
        let receiver = WebhookReceiver(port: try TestBroker.freePort())
        try await withAlertingHarness { harness in
            let h = harness
            try await receiver.serve {
                try await h.run { client in
                    try await client.createRule(#"{"id":"offline","event_types":["offline"]}"#)
                    let webhook = try await client.createWebhook(url: receiver.url)
                    // Per vehicle: offline, offline (a repeat), online (resolves), offline (a new alert). Published
                    // interleaved and back to back, so the consumer sees many events at once and applies them in batches
                    // in which one key appears several times.
                    let vehicles = (0..<20).map { "burst-\($0)" }
                    let steps: [FleetEventType] = [.offline, .offline, .online, .offline]
                    try await h.publish(steps.flatMap { type in vehicles.map { event(type, $0) } })
                    try await eventually("forty alerts, twenty resolved") {
                        let resolved = try await client.alerts("?status=resolved").count
                        let firing = try await client.alerts("?status=firing").count
                        return resolved == 20 && firing == 20
                    }
                    let resolved = try await client.alerts("?status=resolved")
                    #expect(resolved.allSatisfy { $0.occurrences == 2 && $0.resolvedBy == "auto:online" })
                    #expect(Set(resolved.compactMap(\.vehicleID)) == Set(vehicles))
                    let firing = try await client.alerts("?status=firing")
                    #expect(firing.allSatisfy { $0.occurrences == 1 })
                    #expect(Set(firing.compactMap(\.vehicleID)) == Set(vehicles))

                    // 40 alert.firing + 20 alert.resolved, each under its own webhook-id, all recorded as delivered.
                    try await eventually("sixty messages recorded as delivered") {
                        let deliveries = try await client.deliveries(webhook.id, "?limit=1000")
                        return deliveries.count == 60 && deliveries.allSatisfy { $0.status == "delivered" }
                    }
                    let received = receiver.received
                    #expect(Set(received.compactMap { $0.headers["webhook-id"] }).count == 60)
                    #expect(received.filter { $0.body.contains(#""type":"alert.firing""#) }.count >= 40)
                    #expect(received.filter { $0.body.contains(#""type":"alert.resolved""#) }.count >= 20)
                }
            }
        }
    }

    @Test("Exhausted retries dead-letter the delivery; replay through the API delivers it")
    func deadLetterAndReplay() async throws {
        let receiver = WebhookReceiver(port: try TestBroker.freePort())
        receiver.script([], fallback: .init(status: 500))
        try await withAlertingHarness { harness in
            harness.set("fleet.alerting.retryMaxAttempts", 2)
            let h = harness
            try await receiver.serve {
                try await h.run { client in
                    try await client.createRule(#"{"id":"offline","event_types":["offline"]}"#)
                    let webhook = try await client.createWebhook(url: receiver.url)
                    try await h.publish([event(.offline, "drone-1")])
                    try await eventually("dead letter") { try await client.deliveries(webhook.id, "?status=dead").count == 1 }
                    let dead = try #require(try await client.deliveries(webhook.id, "?status=dead").first)
                    #expect(dead.attempts == 2 && dead.lastStatusCode == 500)
                    #expect(receiver.received.count == 2)

                    receiver.script([], fallback: .init(status: 204))
                    let replay = try await client.raw(.post, "/v1/webhooks/\(webhook.id)/replay")
                    #expect(replay.0 == .ok && replay.1.contains(#""replayed":1"#))
                    try await eventually("delivered after replay") {
                        try await client.deliveries(webhook.id).first?.status == "delivered"
                    }
                    #expect(receiver.received.last?.headers["webhook-id"] == dead.id, "replay keeps the webhook-id")

                    // Replaying a single delivery by id works too (a delivered one is re-sent on request).
                    let one = try await client.raw(.post, "/v1/webhooks/\(webhook.id)/deliveries/\(dead.id)/replay")
                    #expect(one.0 == .ok)
                    try await eventually("re-sent") { receiver.received.count == 4 }
                    let missing = try await client.raw(.post, "/v1/webhooks/\(webhook.id)/deliveries/msg_nope/replay")
                    #expect(missing.0 == .notFound)
                }
            }
        }
    }

    @Test("Private destinations are refused with a clear error unless allow-listed")
    func ssrfRefusal() async throws {
        try await withAlertingHarness { harness in
            harness.set("fleet.alerting.webhookAllowCidrs", "")
            let h = harness
            try await h.run { client in
                for url in ["http://127.0.0.1:9/hook", "http://10.0.0.7/hook", "http://169.254.169.254/latest/meta-data", "http://[::1]/x", "http://localhost/x"] {
                    let (status, body) = try await client.raw(.post, "/v1/webhooks", body: #"{"url":"\#(url)"}"#)
                    #expect(status == .unprocessableContent, "\(url): \(body)")
                    #expect(body.contains("refused unless allow-listed"), "\(url): \(body)")
                }
                let (status, body) = try await client.raw(.post, "/v1/webhooks", body: #"{"url":"gopher://example.com/"}"#)
                #expect(status == .unprocessableContent && body.contains("http or https"))
                #expect(try await client.json(WebhookList.self, .get, "/v1/webhooks").webhooks.isEmpty)
            }
        }
    }

    @Test("Webhook API: list, update filter, rotate secret, ping, delete")
    func webhookAPI() async throws {
        let receiver = WebhookReceiver(port: try TestBroker.freePort())
        try await withAlertingHarness { harness in
            let h = harness
            try await receiver.serve {
                try await h.run { client in
                    try await client.createRule(#"{"id":"offline","event_types":["offline"],"severity":"info"}"#)
                    let webhook = try await client.createWebhook(url: receiver.url, extra: #","description":"ops","min_severity":"warning""#)
                    #expect(try await client.json(WebhookList.self, .get, "/v1/webhooks").webhooks.map(\.id) == [webhook.id])
                    #expect(try await client.json(WebhookResource.self, .get, "/v1/webhooks/\(webhook.id)").secret == nil, "secret not shown again")

                    // min_severity warning filters out this info alert.
                    try await h.publish([event(.offline, "cart-1", severity: .info)])
                    try await eventually("alert exists") { try await client.alerts().count == 1 }
                    #expect(try await client.deliveries(webhook.id).isEmpty)

                    let updated = try await client.json(
                        WebhookResource.self, .patch, "/v1/webhooks/\(webhook.id)", body: #"{"min_severity":"info","event_types":["alert.resolved"]}"#)
                    #expect(updated.minSeverity == "info" && updated.eventTypes == ["alert.resolved"] && updated.description == "ops")
                    try await h.publish([event(.online, "cart-1"), event(.offline, "cart-2", severity: .info)])
                    try await eventually("resolved delivered") { receiver.received.count == 1 }
                    #expect(receiver.received[0].body.contains(#""type":"alert.resolved""#))

                    let rotated = try await client.json(WebhookResource.self, .post, "/v1/webhooks/\(webhook.id)/rotate")
                    let newSecret = try #require(rotated.secret)
                    #expect(newSecret != webhook.secret)
                    _ = try await client.raw(.post, "/v1/webhooks/\(webhook.id)/test")
                    try await eventually("ping delivered") { receiver.received.count == 2 }
                    let ping = receiver.received[1]
                    #expect(
                        try SignatureVerifier.verify(
                            secret: newSecret, id: ping.headers["webhook-id"]!, timestamp: ping.headers["webhook-timestamp"]!,
                            signature: ping.headers["webhook-signature"]!, body: ping.body))
                    try await eventually("ping recorded") { try await client.deliveries(webhook.id, "?status=delivered").count == 2 }
                    let one = try await client.deliveries(webhook.id).first!
                    let fetched = try await client.json(DeliveryResource.self, .get, "/v1/webhooks/\(webhook.id)/deliveries/\(one.id)")
                    #expect(fetched.id == one.id)

                    let (deleted, _) = try await client.raw(.delete, "/v1/webhooks/\(webhook.id)")
                    #expect(deleted == .noContent)
                    let (gone, _) = try await client.raw(.get, "/v1/webhooks/\(webhook.id)")
                    #expect(gone == .notFound)
                }
            }
        }
    }
}
