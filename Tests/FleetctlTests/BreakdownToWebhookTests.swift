import FleetCore
import FleetMQTT
import FleetTestSupport
import FleetWebhooks
import Foundation
import Testing

/// The chain a fleet operator relies on, with every service a real process on one broker: a vehicle reports a breakdown
/// → fleet-health raises `fault` (with the vehicle's registry tags) → fleet-alerting fires the example rules →
/// a signed webhook reaches a real receiver; recovery resolves the alert the same way.
@Suite("Breakdown to webhook", .enabled(if: TestPostgres.isConfigured, "FLEET_POSTGRES_HOST is not set"), .timeLimit(.minutes(3)))
struct BreakdownToWebhookTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test("telemetry with a breakdown code → fault event → alert → signed webhook; a tagged vehicle's low battery fires the tag rule; recovery resolves")
    func breakdownReachesTheReceiver() async throws {
        let broker = try TestBroker(persistence: false)
        try await TestPostgres.withSchema(poolSize: 1) { _, controlSchema in
            try await TestPostgres.withSchema(poolSize: 1) { _, alertingSchema in
                try await TestPostgres.withSchema(poolSize: 1) { _, healthSchema in
                    let control = try await FleetControlService.start(broker: broker, schema: controlSchema)
                    defer { control.stop() }
                    let asksControl = ["FLEET_AUTH_INTROSPECTION_URL": "\(control.url)/auth/introspect"]
                    let alerting = try await FleetControlService.start(
                        broker: broker, schema: alertingSchema,
                        environment: asksControl.merging([
                            "FLEET_ALERTING_RULES_FILE": Self.root.appendingPathComponent("config/alerting/rules.example.json").path,
                            "FLEET_ALERTING_WEBHOOK_ALLOW_CIDRS": "127.0.0.0/8", "FLEET_ALERTING_DISPATCH_POLL_MS": "100",
                        ]) { $1 },
                        service: "fleet-alerting")
                    defer { alerting.stop() }

                    // The vehicle is known to the registry (its state) and tagged there before fleet-health reads it.
                    let vehicle = try VehicleID("reefer-9")
                    let vehicleConnection = MQTTConfiguration(port: broker.port, clientID: "reefer-9-\(UUID().uuidString.prefix(6))")
                    try await MQTTClient.withConnection(configuration: vehicleConnection, logger: silentLogger) { mqtt in
                        let online = VehicleState(vehicleID: vehicle, connectivity: .online, lastSeenMillis: TimestampPolicy.millis(from: .now))
                        try await mqtt.publish(try FleetCodec.encode(online), to: VehicleChannel.state.topic(for: vehicle), retain: true)
                        try await eventually("fleet-control knows the vehicle") {
                            try await control.fleetctl("vehicles", "tag", "reefer-9", "cold-chain").exitCode == FleetctlExit.success
                        }
                        let registryToken = try #require(
                            try await control.fleetctl("tokens", "create", "--name", "health-registry", "--scope", "fleet:read", "-o", "json").json()["token"]
                                as? String)
                        let health = try await FleetControlService.start(
                            broker: broker, schema: healthSchema,
                            environment: asksControl.merging([
                                "FLEET_HEALTH_REGISTRY_URL": control.url, "FLEET_HEALTH_REGISTRY_TOKEN": registryToken,
                                "FLEET_HEALTH_REGISTRY_INTERVAL_SECONDS": "1",
                            ]) { $1 },
                            service: "fleet-health")
                        defer { health.stop() }

                        let receiver = WebhookReceiver(port: try TestBroker.freePort())
                        try await receiver.serve {
                            let created = try await Fleetctl.run([
                                "webhooks", "create", receiver.url, "--url", alerting.url, "--token", FleetControlService.adminToken, "--json",
                            ])
                            #expect(created.exitCode == FleetctlExit.success, "\(created)")
                            let secret = try #require(try created.json()["secret"] as? String)
                            let signature = try #require(WebhookSignature(secret: secret))
                            // Let the registry refresh once more and the consumers' subscriptions settle.
                            try await Task.sleep(for: .seconds(1.5))

                            let start = TimestampPolicy.millis(from: .now) - 5_000
                            func sample(_ seq: UInt64, battery: Double, status: VehicleStatus, codes: [String]) throws -> [UInt8] {
                                try FleetCodec.encode(
                                    Telemetry(
                                        vehicleID: vehicle, sequence: seq, deviceTimeMillis: start + Int64(seq) * 100,
                                        position: Position(latitude: 43.7384, longitude: 7.4246), speedMetersPerSecond: status == .fault ? 0 : 9,
                                        headingDegrees: 0, odometerMeters: 100, batteryPercent: battery, status: status, faultCodes: codes))
                            }
                            let topic = VehicleChannel.telemetry.topic(for: vehicle)
                            try await mqtt.publish(try sample(1, battery: 60, status: .moving, codes: []), to: topic)
                            try await mqtt.publish(try sample(2, battery: 12, status: .fault, codes: ["P0A0F"]), to: topic)

                            func alerts(_ type: String, rule: String) -> [[String: Any]] {
                                receiver.received.compactMap { delivery -> [String: Any]? in
                                    guard let body = try? JSONSerialization.jsonObject(with: Data(delivery.bytes)) as? [String: Any],
                                        body["type"] as? String == type,
                                        let alert = (body["data"] as? [String: Any])?["alert"] as? [String: Any], alert["rule_id"] as? String == rule
                                    else { return nil }
                                    return body
                                }
                            }
                            try await eventually("the fault-code alert reaches the receiver", seconds: 30) { !alerts("alert.firing", rule: "fault-code").isEmpty }
                            let fault = try #require(alerts("alert.firing", rule: "fault-code").first)
                            let alert = try #require((fault["data"] as? [String: Any])?["alert"] as? [String: Any])
                            #expect((alert["summary"] as? String)?.contains("P0A0F") == true, "\(alert)")
                            #expect(alert["vehicle_id"] as? String == "reefer-9")
                            let tags = ((fault["data"] as? [String: Any])?["vehicle"] as? [String: Any])?["tags"] as? [String]
                            #expect(tags == ["cold-chain"], "the event carried the registry's tags")
                            for delivery in receiver.received {
                                #expect(signature.verify(id: delivery.id, timestamp: delivery.timestamp, body: delivery.bytes, header: delivery.signature))
                            }
                            // The tag-based rule fires only because fleet-health put the registry's tags on the event.
                            try await eventually("the cold-chain low-battery alert reaches the receiver") {
                                !alerts("alert.firing", rule: "cold-chain-low-battery").isEmpty
                            }

                            // Recovery: three clean samples clear the fault; the alert is resolved by fault_cleared.
                            for seq in 3...6 as ClosedRange<UInt64> {
                                try await mqtt.publish(try sample(seq, battery: 60, status: .moving, codes: []), to: topic)
                            }
                            try await eventually("the fault-code alert is resolved", seconds: 30) { !alerts("alert.resolved", rule: "fault-code").isEmpty }
                            #expect(alerts("alert.firing", rule: "fault-code").count == 1, "one alert for one breakdown")
                        }
                    }
                }
            }
        }
        withExtendedLifetime(broker) {}
    }
}
