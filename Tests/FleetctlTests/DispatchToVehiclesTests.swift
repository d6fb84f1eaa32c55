import FleetCore
import FleetTestSupport
import Foundation
import Testing

/// Plans that vehicles drive, with every part a real process on one broker: fleet-routing plans from the simulated
/// vehicles' live positions → `fleetctl routes dispatch` sends each route through fleet-control (`follow_route`) →
/// fleet-sim drives the stops in order and reports them done in its telemetry → fleet-routing records the progress.
@Suite("Dispatch to driving vehicles", .enabled(if: TestPostgres.isConfigured, "FLEET_POSTGRES_HOST is not set"), .timeLimit(.minutes(4)))
struct DispatchToVehiclesTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let map = root.deletingLastPathComponent().appendingPathComponent("shared/data/road_network/monaco.osm.pbf").path

    @Test("optimize from live positions → dispatch → the simulator drives every stop in order → the plan shows them reached")
    func dispatchedPlanIsDriven() async throws {
        let broker = try TestBroker(persistence: false)
        try await TestPostgres.withSchema(poolSize: 1) { _, controlSchema in
            try await TestPostgres.withSchema(poolSize: 1) { _, routingSchema in
                let control = try await FleetControlService.start(broker: broker, schema: controlSchema)
                defer { control.stop() }
                let dispatchToken = try #require(
                    try await control.fleetctl("tokens", "create", "--name", "routing-dispatch", "--scope", "commands:write", "-o", "json").json()["token"]
                        as? String)
                let routing = try await FleetControlService.start(
                    broker: broker, schema: routingSchema,
                    environment: [
                        "FLEET_AUTH_INTROSPECTION_URL": "\(control.url)/auth/introspect", "FLEET_ROUTING_MAP": Self.map,
                        "FLEET_ROUTING_CONTROL_URL": control.url, "FLEET_ROUTING_CONTROL_TOKEN": dispatchToken,
                        "FLEET_ROUTING_TELEMETRY_QOS": "1", "FLEET_ROUTING_WATCH_INTERVAL_MS": "500",
                    ],
                    service: "fleet-routing")
                defer { routing.stop() }
                let sim = try await FleetControlService.start(
                    broker: broker, schema: routingSchema,
                    environment: [
                        "FLEET_SIM_VEHICLES": "2", "FLEET_SIM_ID_PREFIX": "van", "FLEET_SIM_MAP": Self.map, "FLEET_SIM_TIME_SCALE": "15",
                        "FLEET_SIM_FAULT_RATE": "0", "FLEET_SIM_DEGRADED_VEHICLES": "0", "FLEET_SIM_SEED": "5",
                    ],
                    service: "fleet-sim")
                defer { sim.stop() }

                let stops: [[String: Any]] = [(43.7384, 7.4246), (43.7396, 7.4271), (43.7331, 7.4157), (43.7352, 7.4205)]
                    .enumerated().map { ["id": "drop-\($0.offset)", "location": ["lat": $0.element.0, "lon": $0.element.1], "service_s": 20] }
                let request: [String: Any] = [
                    "vehicles": [["id": "van-0001", "capacity": 10], ["id": "van-0002", "capacity": 10]],
                    "stops": stops, "options": ["time_limit_ms": 300],
                ]
                let file = FileManager.default.temporaryDirectory.appendingPathComponent("plan-\(UUID().uuidString).json")
                try JSONSerialization.data(withJSONObject: request).write(to: file)
                defer { try? FileManager.default.removeItem(at: file) }
                let routingAPI = ["--routing", routing.url, "--token", FleetControlService.adminToken]

                // Once fleet-routing has heard both vans, they start from where they are.
                var plan: [String: Any] = [:]
                try await eventually("fleet-routing knows where both vans are", seconds: 60) {
                    let result = try await Fleetctl.run(["routes", "optimize", "-f", file.path, "-o", "json"] + routingAPI)
                    guard result.exitCode == FleetctlExit.success else { return false }
                    plan = try result.json()
                    return (plan["excluded_vehicles"] as? [Any])?.isEmpty == true && (plan["unassigned"] as? [Any])?.isEmpty == true
                }
                let id = try #require(plan["id"] as? String)
                let dispatched = try await Fleetctl.run(["routes", "dispatch", id, "-o", "json"] + routingAPI)
                #expect(dispatched.exitCode == FleetctlExit.success, "\(dispatched)")
                let routes = try #require(try dispatched.json()["routes"] as? [[String: Any]])
                #expect(!routes.isEmpty && routes.allSatisfy { $0["command_id"] is String }, "\(routes)")

                // The vans drive; their telemetry reports each stop done, in order.
                try await eventually("every stop is reached", seconds: 150) {
                    let current = try await Fleetctl.run(["routes", "get", id, "-o", "json"] + routingAPI).json()
                    let routes = current["routes"] as? [[String: Any]] ?? []
                    return routes.allSatisfy { ($0["completed_stops"] as? Int) == ($0["stops"] as? [Any])?.count }
                }
                let final = try await Fleetctl.run(["routes", "get", id, "-o", "json"] + routingAPI).json()
                for route in final["routes"] as? [[String: Any]] ?? [] {
                    let reached = (route["stops"] as? [[String: Any]] ?? []).compactMap { $0["reached_at_ms"] as? Int64 }
                    #expect(reached.count == (route["stops"] as? [Any])?.count)
                    #expect(reached == reached.sorted(), "stops reached in plan order")
                }
                // fleet-control saw the vans complete their routes.
                for route in routes {
                    let command = try #require(route["command_id"] as? String)
                    try await eventually("the route command is completed", seconds: 30) {
                        let shown = try await control.fleetctl("commands", "get", command, "-o", "json")
                        return (try? shown.json())?["status"] as? String == "completed"
                    }
                }
            }
        }
        withExtendedLifetime(broker) {}
    }
}
