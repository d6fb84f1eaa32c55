import FleetCore
import Foundation
import Testing

@testable import FleetAlerting

@Suite("Alert rules (matching, templates, file)")
struct RuleTests {
    @Test("Matches on event type, severity, vehicle and tag")
    func matching() throws {
        let rule = AlertRule(id: "r", eventTypes: ["overspeed", "low_battery"], minSeverity: .warning, vehicles: ["van-1", "van-2"], tags: ["cold"])
        #expect(rule.matches(event(.overspeed, "van-1", attributes: ["tags": "dry, cold"])))
        #expect(rule.matches(event(.lowBattery, "van-2", severity: .critical, attributes: ["tag": "cold"])))
        #expect(!rule.matches(event(.overspeed, "van-1", severity: .info, attributes: ["tags": "cold"])), "below min severity")
        #expect(!rule.matches(event(.overspeed, "van-3", attributes: ["tags": "cold"])), "other vehicle")
        #expect(!rule.matches(event(.overspeed, "van-1", attributes: ["tags": "dry"])), "no matching tag")
        #expect(!rule.matches(event(.moving, "van-1", attributes: ["tags": "cold"])), "other type")
        var disabled = rule
        disabled.enabled = false
        #expect(!disabled.matches(event(.overspeed, "van-1", attributes: ["tags": "cold"])))
    }

    @Test("Clearing types: defaults from the event type, or resolve_on")
    func clearing() {
        #expect(AlertRule(id: "o", eventTypes: ["offline"]).clearingTypes == ["online"])
        #expect(AlertRule(id: "f", eventTypes: ["fault"]).clearingTypes == ["fault_cleared"])
        #expect(AlertRule(id: "s", eventTypes: ["overspeed"]).clearingTypes.isEmpty)
        #expect(AlertRule(id: "x", eventTypes: ["offline"], resolveOn: []).clearingTypes.isEmpty)
        let rule = AlertRule(id: "o", eventTypes: ["offline"], vehicles: ["a"])
        #expect(rule.clears(event(.online, "a")))
        #expect(!rule.clears(event(.online, "b")))
    }

    @Test("Dedup key and summary templates")
    func templates() {
        let rule = AlertRule(id: "fault", eventTypes: ["fault"], dedupKey: "{rule}:{vehicle}:{attr.code}", summary: "{vehicle} {type} {attr.code} {attr.none} {bogus}")
        let e = event(.fault, "bus-9", attributes: ["code": "P0301"])
        #expect(rule.dedupKey(for: e) == "fault:bus-9:P0301")
        #expect(rule.summary(for: e) == "bus-9 fault P0301 - {bogus}")
        #expect(AlertRule(id: "r", eventTypes: ["fault"]).dedupKey(for: e) == "r:bus-9")
    }

    @Test("Invalid rules are refused with the reason")
    func validation() {
        #expect(throws: RuleError.self) { try AlertRule(id: "bad id", eventTypes: ["fault"]).validate() }
        #expect(throws: RuleError.self) { try AlertRule(id: "r", eventTypes: []).validate() }
        #expect(throws: RuleError.self) { try AlertRule(id: "r", eventTypes: ["explosion"]).validate() }
        #expect(throws: RuleError.self) { try AlertRule(id: "r", eventTypes: ["fault"], resolveOn: ["nope"]).validate() }
        #expect(throws: RuleError.self) { try AlertRule(id: "r", eventTypes: ["fault"], throttleSeconds: -1).validate() }
        #expect(throws: RuleError.self) { try AlertRule(id: "r", eventTypes: ["fault"], escalateAfterSeconds: 0).validate() }
        #expect(throws: Never.self) { try AlertRule(id: "r", eventTypes: ["fault"]).validate() }
    }

    @Test("The example rules file loads; a broken file names the problem")
    func ruleFile() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let rules = try RuleFile.load(path: root.appendingPathComponent("config/alerting/rules.example.json").path)
        #expect(
            rules.map(\.id) == [
                "vehicle-offline", "overspeed", "fault-code", "cold-chain-low-battery", "low-battery", "low-fuel", "fuel-drop", "overheating",
                "vehicle-silent", "maintenance-due", "battery-health",
            ])
        // Every fleet-health event that has a clearing event resolves its alert with it.
        for (rule, clearing) in [("low-battery", "low_battery_cleared"), ("overheating", "overheating_cleared"), ("vehicle-silent", "silent_cleared")] {
            #expect(rules.first { $0.id == rule }?.resolveOn?.contains(clearing) == true, "\(rule)")
        }
        #expect(rules[0].escalateAfterSeconds == 900)
        let broken = FileManager.default.temporaryDirectory.appendingPathComponent("rules-\(UUID()).json")
        defer { try? FileManager.default.removeItem(at: broken) }
        try #"{"rules":[{"id":"a","event_types":["teleport"]}]}"#.write(to: broken, atomically: true, encoding: .utf8)
        let error = #expect(throws: RuleError.self) { try RuleFile.load(path: broken.path) }
        #expect(error?.message.contains("teleport") == true && error?.message.contains("rule \"a\"") == true)
        #expect(throws: RuleError.self) { try RuleFile.load(path: "/nonexistent/rules.json") }
    }
}

@Suite("Webhook building blocks (signing, SSRF policy, retry policy)")
struct WebhookUnitTests {
    @Test("Secrets are whsec_ + base64 of 32 bytes; signatures verify and detect tampering")
    func signing() throws {
        let secret = WebhookSigner.generateSecret()
        #expect(secret.hasPrefix("whsec_"))
        #expect(Data(base64Encoded: String(secret.dropFirst(6)))?.count == 32)
        let signer = try #require(WebhookSigner(secret: secret))
        let body = Array(#"{"a":1}"#.utf8)
        let signature = signer.signature(id: "msg_1", timestamp: 1_700_000_000, body: body)
        #expect(signature.hasPrefix("v1,"))
        #expect(signer.verify(id: "msg_1", timestamp: 1_700_000_000, body: body, header: "v1,bogus \(signature)"))
        #expect(!signer.verify(id: "msg_1", timestamp: 1_700_000_001, body: body, header: signature))
        #expect(!signer.verify(id: "msg_1", timestamp: 1_700_000_000, body: Array(#"{"a":2}"#.utf8), header: signature))
        #expect(WebhookSigner(secret: "nope") == nil)
        // Known answer (Standard Webhooks reference example).
        let reference = try #require(WebhookSigner(secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))
        #expect(
            reference.signature(
                id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330, body: Array(#"{"test": 2432232314}"#.utf8))
                == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    }

    @Test("Private, loopback, link-local and mapped destinations are refused unless allow-listed")
    func destinations() throws {
        let strict = DestinationPolicy(allowed: [])
        for url in [
            "http://127.0.0.1/x", "http://10.1.2.3/", "http://192.168.0.10:8080/", "http://172.20.0.1/", "http://169.254.169.254/latest",
            "http://[::1]/", "http://[fe80::1]/", "http://[fd00::5]/", "http://[::ffff:127.0.0.1]/", "http://0.0.0.0/", "http://localhost/",
        ] {
            #expect(throws: DestinationPolicy.Refusal.self, "\(url)") { try strict.check(url) }
        }
        #expect(throws: Never.self) { try strict.check("https://93.184.216.34/hook") }
        for url in ["ftp://example.com/", "not a url", "http://user:pw@93.184.216.34/", "/relative"] {
            #expect(throws: DestinationPolicy.Refusal.self, "\(url)") { try strict.check(url) }
        }
        let loopback = DestinationPolicy(allowed: [IPRange(cidr: "127.0.0.0/8")!])
        #expect(throws: Never.self) { try loopback.check("http://127.0.0.1:9999/hook") }
        #expect(throws: DestinationPolicy.Refusal.self) { try loopback.check("http://10.0.0.1/") }
        do {
            try strict.check("http://127.0.0.1/")
        } catch {
            #expect(error.reason.contains("loopback") && error.reason.contains("FLEET_ALERTING_WEBHOOK_ALLOW_CIDRS"))
        }
        #expect(IPRange(cidr: "10.0.0.0/33") == nil)
        #expect(IPRange(cidr: "fc00::/7")?.contains(IPRange.parseAddress("fdab::1")!) == true)
    }

    @Test("Backoff grows exponentially with jitter, honours Retry-After and gives up after the max age")
    func retry() {
        let policy = RetryPolicy(base: .seconds(1), maxDelay: .seconds(60), maxAge: .seconds(3_600), maxAttempts: 0)
        for attempts in 1...10 {
            let nominal = min(Double(1 << (attempts - 1)), 60)
            let delay = RetryPolicy.seconds(policy.delay(afterAttempts: attempts, retryAfter: nil))
            #expect(delay >= nominal / 2 && delay <= nominal, "attempt \(attempts): \(delay)")
        }
        #expect(RetryPolicy.seconds(policy.delay(afterAttempts: 1, retryAfter: .seconds(30))) >= 30)
        #expect(RetryPolicy.parseRetryAfter("120") == .seconds(120))
        let now = Date(timeIntervalSince1970: 1_445_412_480)
        #expect(RetryPolicy.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", now: now) == .seconds(0))
        #expect(RetryPolicy.parseRetryAfter("Wed, 21 Oct 2015 07:29:00 GMT", now: now) == .seconds(60))
        #expect(RetryPolicy.parseRetryAfter("soon") == nil)
        let created = Date()
        #expect(!policy.isExhausted(attempts: 50, createdAt: created, next: created.addingTimeInterval(3_000)))
        #expect(policy.isExhausted(attempts: 2, createdAt: created, next: created.addingTimeInterval(3_601)))
        let limited = RetryPolicy(base: .seconds(1), maxDelay: .seconds(60), maxAge: .seconds(3_600), maxAttempts: 3)
        #expect(limited.isExhausted(attempts: 3, createdAt: created, next: created))
    }

    @Test("Circuit breaker opens after consecutive failures and lets one probe through after the cooldown")
    func breaker() async throws {
        let breakers = CircuitBreakers(threshold: 3, cooldown: .milliseconds(100))
        #expect(await breakers.permit("a"))
        await breakers.recordFailure("a")
        await breakers.recordFailure("a")
        #expect(await breakers.openEndpoints().isEmpty)
        #expect(await breakers.recordFailure("a"))
        #expect(await breakers.openEndpoints() == ["a"])
        #expect(await !breakers.permit("a"))
        try await Task.sleep(for: .milliseconds(150))
        #expect(await breakers.permit("a"), "probe")
        #expect(await !breakers.permit("a"), "only one probe")
        #expect(await breakers.recordSuccess("a"), "the endpoint recovered")
        #expect(await !breakers.recordSuccess("b"), "a closed circuit did not recover")
        #expect(await breakers.permit("a"))
        #expect(await breakers.openCount() == 0)
    }
}
