import Configuration
import FleetCore
import FleetMQTT
import FleetService
import FleetTestSupport
import Hummingbird
import Foundation
import Prometheus
import Testing

@testable import FleetHealth

@Suite("fleet-health events and incidents (real broker, real database)", .enabled(if: TestPostgres.isConfigured, "FLEET_POSTGRES_HOST is not set"), .timeLimit(.minutes(3)))
struct HealthEventTests {
    @Test("A breakdown raises one fault event per code and opens a fault incident; recovery clears both and closes it with its duration")
    func breakdownAndRecovery() async throws {
        try await withHealthHarness { harnessRef in
            let harness = harnessRef
            try await harness.run { api, vehicle, events in
                // Device times in the recent past, so the whole incident lies inside the statistics window (up to now).
                let start = TimestampPolicy.millis(from: .now) - 10_000
                try await HealthHarness.publish(HealthHarness.telemetry("van-7", seq: 1, at: start), with: vehicle)
                for seq in 2...3 as ClosedRange<UInt64> {
                    try await HealthHarness.publish(
                        HealthHarness.telemetry("van-7", seq: seq, at: start + Int64(seq) * 100, speed: 0, status: .fault, codes: ["P0A0F"]), with: vehicle)
                }
                try await eventually("the fault event") { events.events(.fault, vehicle: "van-7").count == 1 }
                let faults = events.events(.fault, vehicle: "van-7")
                // The code tells the breakdown; the fault status adds no second event.
                #expect(faults.compactMap { $0.attributes["code"] } == ["P0A0F"])
                let code = try #require(faults.first { $0.attributes["code"] == "P0A0F" })
                #expect(code.severity == .critical)
                #expect(code.attributes["text"] == "Engine failed to start / drive system failure")
                let (status, health) = try await HealthHarness.get("/v1/vehicles/van-7/health", from: api)
                #expect(status == .ok)
                #expect(health["score"] as? Int == 0)
                let open = try #require(health["open_incidents"] as? [[String: Any]])
                #expect(open.map { $0["cause"] as? String } == ["fault"])
                #expect(try await harness.count("incidents", where: "cause = 'fault' AND ended_at IS NULL") == 1)

                // Three samples without the fault clear it (hysteresis), and only once.
                for seq in 4...8 as ClosedRange<UInt64> {
                    try await HealthHarness.publish(HealthHarness.telemetry("van-7", seq: seq, at: start + 1_000 + Int64(seq) * 100), with: vehicle)
                }
                try await eventually("cleared") { events.events(.faultCleared, vehicle: "van-7").count == 1 }
                try await eventually("the incident is closed") { try await harness.count("incidents", where: "ended_at IS NOT NULL") == 1 }
                let (_, page) = try await HealthHarness.get("/v1/vehicles/van-7/incidents", from: api)
                let incident = try #require((page["items"] as? [[String: Any]])?.first)
                #expect(incident["cause"] as? String == "fault")
                #expect(incident["open"] as? Bool == false)
                // Opened at the first fault sample (start+200), closed at the third clean one (start+1000+600).
                let duration = try #require(incident["duration_seconds"] as? Double)
                #expect(abs(duration - 1.4) < 0.01, "duration \(duration)")
                try await Task.sleep(for: .milliseconds(300))
                #expect(events.events(.fault, vehicle: "van-7").count == 1, "no repeated fault events")
                #expect(events.events(.faultCleared, vehicle: "van-7").count == 1)
                let (_, fleet) = try await HealthHarness.get("/v1/fleet/health", from: api)
                let downtime = try #require(fleet["downtime"] as? [String: Any])
                #expect(downtime["failures"] as? Int == 1)
                #expect(abs((downtime["mttr_seconds"] as? Double ?? 0) - 1.4) < 0.01)
            }
        }
    }

    @Test("Hostile payloads are counted by reason and dropped; they never touch a vehicle's state and valid data still flows")
    func hostilePayloads() async throws {
        let registry = FleetMetrics.bootstrap()
        try await withHealthHarness { harnessRef in
            let harness = harnessRef
            try await harness.run { api, vehicle, events in
                let before = HealthMetricsProbe(registry)
                let now = TimestampPolicy.millis(from: .now)
                let topic = VehicleChannel.telemetry.topic(for: try VehicleID("car-1"))
                // A low battery and a fault code in every hostile copy: were any of them used, an event would follow.
                let bait = HealthHarness.telemetry("car-1", seq: 1, at: now, battery: 3, codes: ["P0300"])
                let json = String(decoding: try FleetCodec.encode(bait), as: UTF8.self)
                // Tracking's rejection cases, plus an impossible value and an oversized payload.
                let cases: [(String, String, RejectionReason)] =
                    try HostileTelemetry.cases(bait, spoofedAs: try VehicleID("car-2"), now: now).map { ($0.topic, $0.payload, $0.reason) } + [
                        (topic, json.replacingOccurrences(of: #""battery_pct":[^,}]*"#, with: #""battery_pct":-5"#, options: .regularExpression), .invalidValue),
                        (topic, String(repeating: "x", count: FleetLimits.defaultMaxMessageBytes + 10), .tooLarge),
                    ]
                for (topic, payload, _) in cases { try await vehicle.publish(Array(payload.utf8), to: topic) }
                // Garbage on the state topic too.
                try await vehicle.publish(Array("nonsense".utf8), to: VehicleChannel.state.topic(for: try VehicleID("car-1")))
                try await HealthHarness.publish(HealthHarness.telemetry("car-1", seq: 2, at: now + 10, battery: 55), with: vehicle)
                try await eventually("the valid sample reached the record") {
                    let (status, health) = try await HealthHarness.get("/v1/vehicles/car-1/health", from: api)
                    return status == .ok && (health["levels"] as? [String: Any])?["battery_pct"] as? Double == 55
                }
                let after = HealthMetricsProbe(registry)
                for (_, _, reason) in cases {
                    #expect(after.rejected("telemetry", reason) - before.rejected("telemetry", reason) >= 1, "\(reason) counted")
                }
                #expect(after.rejected("state", .malformed) - before.rejected("state", .malformed) >= 1)
                try await Task.sleep(for: .milliseconds(500))
                #expect(events.events(vehicle: "car-1").isEmpty, "no event from a refused payload: \(events.events(vehicle: "car-1"))")
                #expect(events.events(vehicle: "car-2").isEmpty)
                let (status, health) = try await HealthHarness.get("/v1/vehicles/car-1/health", from: api)
                #expect(status == .ok)
                #expect((health["active"] as? [Any])?.isEmpty == true)
                #expect(try await HealthHarness.get("/v1/vehicles/car-2/health", from: api).0 == .notFound)
            }
        }
    }

    @Test("A silent vehicle raises silent and opens an incident; its next sample clears it and closes the incident with the gap")
    func silence() async throws {
        try await withHealthHarness { harnessRef in
            harnessRef.values["fleet.health.silentAfterSeconds"] = 2
            let harness = harnessRef
            try await harness.run { api, vehicle, events in
                let clock = ContinuousClock()
                try await HealthHarness.publish(HealthHarness.telemetry("bus-3", seq: 1), with: vehicle)
                let sent = clock.now
                try await eventually("silent after 2 s", seconds: 20) { events.events(.silent, vehicle: "bus-3").count == 1 }
                let silentAfter = clock.now - sent
                #expect(silentAfter >= .seconds(2), "silent after \(silentAfter)")
                let silent = try #require(events.events(.silent, vehicle: "bus-3").first)
                #expect(silent.attributes["threshold_seconds"] == "2")
                #expect(try await harness.count("incidents", where: "cause = 'silent' AND ended_at IS NULL") == 1)
                try await Task.sleep(for: .seconds(1))
                try await HealthHarness.publish(HealthHarness.telemetry("bus-3", seq: 2), with: vehicle)
                let resumed = clock.now - sent
                try await eventually("silent cleared") { events.events(.silentCleared, vehicle: "bus-3").count == 1 }
                let (_, page) = try await HealthHarness.get("/v1/incidents?vehicle=bus-3&cause=silent", from: api)
                let incident = try #require((page["items"] as? [[String: Any]])?.first)
                #expect(incident["open"] as? Bool == false)
                // It starts when silence was decided (no earlier than the 2 s threshold after the first sample) and ends
                // with the sample that broke it.
                let duration = try #require(incident["duration_seconds"] as? Double)
                let gap = Double(resumed.components.seconds) + Double(resumed.components.attoseconds) / 1e18
                #expect(duration > 0.5 && duration <= gap - 2 + 0.3, "duration \(duration) for a gap of \(gap) s")
                // A disconnect is offline, not silent: no further silence while it is away.
                let offline = VehicleState(vehicleID: try VehicleID("bus-3"), connectivity: .offline, lastSeenMillis: TimestampPolicy.millis(from: .now))
                try await vehicle.publish(try FleetCodec.encode(offline), to: VehicleChannel.state.topic(for: try VehicleID("bus-3")), retain: true)
                try await eventually("offline incident") { try await harness.count("incidents", where: "cause = 'offline' AND ended_at IS NULL") == 1 }
                let silencesWhenOffline = events.events(.silent, vehicle: "bus-3").count
                try await Task.sleep(for: .seconds(3))
                #expect(events.events(.silent, vehicle: "bus-3").count == silencesWhenOffline)
                #expect(try await harness.count("incidents", where: "cause = 'silent' AND ended_at IS NULL") == 0)
            }
        }
    }

    @Test("A restart in the middle of an incident loses nothing: the recorded fault is cleared once, in the same incident")
    func restartMidIncident() async throws {
        try await withHealthHarness { harnessRef in
            let harness = harnessRef
            let start = TimestampPolicy.millis(from: .now)
            try await harness.run { _, vehicle, events in
                try await HealthHarness.publish(HealthHarness.telemetry("truck-2", seq: 1, at: start, speed: 0, status: .fault, codes: ["P0524"]), with: vehicle)
                try await eventually("fault recorded") { events.events(.fault, vehicle: "truck-2").count == 1 }
            }
            #expect(try await harness.count("incidents", where: "ended_at IS NULL") == 1)
            try await harness.run { api, vehicle, events in
                for seq in 2...5 as ClosedRange<UInt64> {
                    try await HealthHarness.publish(HealthHarness.telemetry("truck-2", seq: seq, at: start + Int64(seq) * 100), with: vehicle)
                }
                try await eventually("cleared by the restarted service") { events.events(.faultCleared, vehicle: "truck-2").count == 1 }
                try await Task.sleep(for: .milliseconds(300))
                #expect(events.events(.faultCleared, vehicle: "truck-2").count == 1)
                #expect(events.events(.fault, vehicle: "truck-2").isEmpty, "the fault is not raised again")
                #expect(try await harness.count("incidents") == 1)
                #expect(try await harness.count("incidents", where: "ended_at IS NOT NULL") == 1)
                let (_, health) = try await HealthHarness.get("/v1/vehicles/truck-2/health", from: api)
                #expect(health["score"] as? Int == 100)
            }
        }
    }

    @Test("Two replicas in one group split the stream and still publish each transition once")
    func twoReplicas() async throws {
        try await withHealthHarness { harnessRef in
            let harness = harnessRef
            try await harness.run(replica: "a") { _, vehicle, events in
                try await harness.run(replica: "b") { _, _, _ in
                    let start = TimestampPolicy.millis(from: .now)
                    for seq in 1...20 as ClosedRange<UInt64> {
                        try await HealthHarness.publish(
                            HealthHarness.telemetry("bike-\(seq % 4)", seq: seq, at: start + Int64(seq) * 10, battery: 10, codes: ["P0171"]), with: vehicle)
                    }
                    try await eventually("every vehicle's events") { Set(events.events(.lowBattery).compactMap(\.vehicleID)).count == 4 }
                    try await Task.sleep(for: .milliseconds(500))
                    #expect(events.events(.lowBattery).count == 4, "one low_battery per vehicle")
                    #expect(events.events(.fault).count == 4, "one fault per vehicle")
                }
            }
        }
    }
}

/// Rejection counters from the process-wide Prometheus registry.
struct HealthMetricsProbe {
    let probe: MetricsProbe

    init(_ registry: PrometheusCollectorRegistry) {
        probe = MetricsProbe(registry)
    }

    func rejected(_ stream: String, _ reason: RejectionReason) -> Int {
        Int(probe.value("fleet_health_messages_total", ["stream": stream, "outcome": "rejected", "reason": reason.rawValue]))
    }
}
