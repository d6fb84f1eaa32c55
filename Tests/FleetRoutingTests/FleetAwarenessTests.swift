import FleetCore
import FleetMQTT
import FleetService
import FleetTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import FleetRouting

@Suite("Plans know the fleet: live positions, health, hostile telemetry", .serialized)
struct FleetAwarenessTests {
    static func event(_ type: FleetEventType, vehicle: String, attributes: [String: String] = [:]) throws -> FleetEvent {
        FleetEvent(
            id: MessageID(UUID()), type: type, severity: type == .fault ? .critical : .warning, vehicleID: try VehicleID(vehicle),
            timeMillis: TimestampPolicy.millis(from: .now), attributes: attributes)
    }

    @Test("broken-down and low-battery vehicles are left out, maintenance-due ones limited, live positions used as starts")
    func healthAware() async throws {
        try await withRoutingHarness { harness in
            try await harness.run { api, _, vehicle, _ in
                let depot = ["lat": MonacoPlaces.depot.lat, "lon": MonacoPlaces.depot.lon]
                try await RoutingHarness.publish(try Self.event(.fault, vehicle: "broken", attributes: ["code": "P0300", "breakdown": "true"]), with: vehicle)
                try await RoutingHarness.publish(try Self.event(.fault, vehicle: "minor", attributes: ["code": "B1000", "breakdown": "false"]), with: vehicle)
                try await RoutingHarness.publish(try Self.event(.lowBattery, vehicle: "flat"), with: vehicle)
                try await RoutingHarness.publish(try Self.event(.maintenanceDue, vehicle: "tired"), with: vehicle)
                let live = MonacoPlaces.stops[3]
                try await RoutingHarness.publish(RoutingHarness.telemetry("roaming", seq: 1, lat: live.lat, lon: live.lon), with: vehicle)
                let body: [String: Any] = [
                    "vehicles": [
                        ["id": "broken", "start": depot], ["id": "minor", "start": depot], ["id": "flat", "start": depot],
                        ["id": "tired", "start": depot], ["id": "roaming"], ["id": "ghost"],
                    ],
                    "stops": MonacoPlaces.stops.prefix(6).enumerated().map { ["id": "s\($0.offset)", "location": ["lat": $0.element.lat, "lon": $0.element.lon]] },
                    "options": ["time_limit_ms": 200],
                ]
                try await eventually("the events and the position are taken in", seconds: 20) {
                    let (_, plan) = try await RoutingHarness.call(.post, "/v1/routes/optimize", json: body, on: api)
                    let excluded = Dictionary(
                        uniqueKeysWithValues: (plan["excluded_vehicles"] as? [[String: Any]] ?? []).map { ($0["vehicle_id"] as? String ?? "", $0["reason"] as? String ?? "") })
                    let limited = (plan["limited_vehicles"] as? [[String: Any]] ?? []).compactMap { $0["vehicle_id"] as? String }
                    return excluded == ["broken": "breakdown", "flat": "low_battery", "ghost": "no_position"] && limited == ["tired"]
                }
                // The fault clears: the vehicle is planned again, and the stored conditions say so too.
                try await RoutingHarness.publish(try Self.event(.faultCleared, vehicle: "broken", attributes: ["code": "P0300"]), with: vehicle)
                try await eventually("the cleared fault is taken in", seconds: 20) {
                    let (_, plan) = try await RoutingHarness.call(.post, "/v1/routes/optimize", json: body, on: api)
                    let excluded = (plan["excluded_vehicles"] as? [[String: Any]] ?? []).compactMap { $0["vehicle_id"] as? String }
                    return !excluded.contains("broken")
                }
                // Asked to ignore health, every vehicle with a position is used.
                var ignoring = body
                ignoring["options"] = ["time_limit_ms": 200, "respect_health": false]
                let (_, plan) = try await RoutingHarness.call(.post, "/v1/routes/optimize", json: ignoring, on: api)
                let excluded = (plan["excluded_vehicles"] as? [[String: Any]] ?? []).compactMap { $0["vehicle_id"] as? String }
                #expect(excluded == ["ghost"])
            }
        }
    }

    @Test("hostile telemetry is counted and dropped; valid samples around it still count")
    func hostileTelemetry() async throws {
        let registry = FleetMetrics.bootstrap()
        try await withRoutingHarness { harness in
            try await harness.run { api, _, vehicle, _ in
                let before = MetricsProbe(registry)
                let place = MonacoPlaces.stops[0]
                let valid = RoutingHarness.telemetry("good", seq: 1, lat: place.lat, lon: place.lon)
                let cases = try HostileTelemetry.cases(valid, spoofedAs: try VehicleID("other"), now: TimestampPolicy.millis(from: .now))
                for hostile in cases {
                    try await vehicle.publish(Array(hostile.payload.utf8), to: hostile.topic)
                }
                try await RoutingHarness.publish(valid, with: vehicle)
                func counted(_ probe: MetricsProbe, _ outcome: String, _ reason: String) -> Double {
                    probe.value("fleet_routing_messages_total", ["stream": "telemetry", "outcome": outcome, "reason": reason])
                }
                try await eventually("every refusal is counted by reason, and the valid sample accepted", seconds: 20) {
                    let after = MetricsProbe(registry)
                    return cases.allSatisfy { counted(after, "rejected", $0.reason.rawValue) > counted(before, "rejected", $0.reason.rawValue) }
                        && counted(after, "accepted", "") > counted(before, "accepted", "")
                }
                // The valid vehicle's position is known (it starts a plan); the spoofed one never appeared.
                let body: [String: Any] = [
                    "vehicles": [["id": "good"], ["id": "other"]],
                    "stops": [["id": "a", "location": ["lat": MonacoPlaces.stops[1].lat, "lon": MonacoPlaces.stops[1].lon]]],
                    "options": ["time_limit_ms": 100],
                ]
                let (_, plan) = try await RoutingHarness.call(.post, "/v1/routes/optimize", json: body, on: api)
                let excluded = (plan["excluded_vehicles"] as? [[String: Any]] ?? []).compactMap { $0["vehicle_id"] as? String }
                #expect(excluded == ["other"])
                #expect((plan["routes"] as? [[String: Any]])?.first?["vehicle_id"] as? String == "good")
            }
        }
    }
}
