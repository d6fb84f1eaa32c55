import FleetCore
import FleetMQTT
import FleetTestSupport
import Foundation
import Testing

/// Plans that vehicles drive, with every part a real process on one broker: fleet-routing plans from the simulated
/// vehicles' live positions → `fleetctl routes dispatch` sends each route through fleet-control (`follow_route`) →
/// fleet-sim drives the stops in order and reports them done in its telemetry → fleet-routing records the progress.
///
/// Run apart from the other suites by scripts/test.sh (they drive the simulator at 30× for minutes), one at a time.
@Suite(
    "Dispatch to driving vehicles", .serialized, .enabled(if: TestPostgres.isConfigured, "FLEET_POSTGRES_HOST is not set"),
    .timeLimit(.minutes(5)))
struct DispatchToVehiclesTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let map = root.deletingLastPathComponent().appendingPathComponent("shared/data/road_network/monaco.osm.pbf").path

    /// The processes, the request file and the fleetctl arguments for fleet-routing, handed to `body`.
    struct Processes: Sendable {
        var control: FleetControlService
        var routing: FleetControlService
        var broker: TestBroker
        var requestFile: URL
        var routingAPI: [String]

        func plan(_ id: String) async throws -> [String: Any] {
            try await Fleetctl.run(["routes", "get", id, "-o", "json"] + routingAPI).json()
        }
    }

    static func withSuite(_ body: (Processes) async throws -> Void) async throws {
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
                        "FLEET_SIM_VEHICLES": "2", "FLEET_SIM_ID_PREFIX": "van", "FLEET_SIM_MAP": Self.map, "FLEET_SIM_TIME_SCALE": "30",
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
                try await body(Processes(control: control, routing: routing, broker: broker, requestFile: file, routingAPI: routingAPI))
            }
        }
        withExtendedLifetime(broker) {}
    }

    /// Plans from the vans' live positions (once fleet-routing has heard both) and dispatches the plan.
    static func planAndDispatch(_ suite: Processes) async throws -> (id: String, routes: [[String: Any]]) {
        var plan: [String: Any] = [:]
        try await eventually("fleet-routing knows where both vans are", seconds: 60) {
            let result = try await Fleetctl.run(["routes", "optimize", "-f", suite.requestFile.path, "-o", "json"] + suite.routingAPI)
            guard result.exitCode == FleetctlExit.success else { return false }
            plan = try result.json()
            return (plan["excluded_vehicles"] as? [Any])?.isEmpty == true && (plan["unassigned"] as? [Any])?.isEmpty == true
        }
        let id = try #require(plan["id"] as? String)
        let dispatched = try await Fleetctl.run(["routes", "dispatch", id, "-o", "json"] + suite.routingAPI)
        #expect(dispatched.exitCode == FleetctlExit.success, "\(dispatched)")
        let routes = try #require(try dispatched.json()["routes"] as? [[String: Any]])
        #expect(!routes.isEmpty && routes.allSatisfy { $0["command_id"] is String }, "\(routes)")
        return (id, routes)
    }

    @Test("optimize from live positions → dispatch → the simulator drives every stop in order → the plan shows them reached")
    func dispatchedPlanIsDriven() async throws {
        try await Self.withSuite { suite in
            let (id, routes) = try await Self.planAndDispatch(suite)
            let routingAPI = suite.routingAPI
            let control = suite.control
            do {
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
    }

    @Test("a van breaks down after dispatch → what it had left is re-planned onto the other van, dispatched, and driven")
    func breakdownReoptimises() async throws {
        try await Self.withSuite { suite in
            let (id, routes) = try await Self.planAndDispatch(suite)
            // Break down whichever van has the most stops left, as fleet-health would report it.
            let victim = try #require(routes.max { ($0["stops"] as? [Any])?.count ?? 0 < ($1["stops"] as? [Any])?.count ?? 0 }?["vehicle_id"] as? String)
            let survivor = victim == "van-0001" ? "van-0002" : "van-0001"
            let breakdown = FleetEvent(
                id: MessageID(UUID()), type: .fault, severity: .critical, vehicleID: try VehicleID(victim),
                timeMillis: TimestampPolicy.millis(from: .now), attributes: ["code": "P0A0F", "breakdown": "true"])
            let connection = MQTTConfiguration(port: suite.broker.port, clientID: "health-\(UUID().uuidString.prefix(6))")
            try await MQTTClient.withConnection(configuration: connection, logger: silentLogger) { mqtt in
                try await mqtt.publish(try FleetCodec.encode(breakdown), to: FleetTopics.events(.fault))
            }
            var next = ""
            try await eventually("the plan is replaced", seconds: 30) {
                next = try await suite.plan(id)["replaced_by"] as? String ?? ""
                return !next.isEmpty
            }
            let old = try await suite.plan(id)
            let replacement = try await suite.plan(next)
            #expect(replacement["replaces"] as? String == id)
            #expect((replacement["excluded_vehicles"] as? [[String: Any]])?.map { $0["vehicle_id"] as? String } == [victim])
            let left = Set((old["routes"] as? [[String: Any]] ?? []).flatMap { route in
                ((route["stops"] as? [[String: Any]] ?? []).dropFirst(route["completed_stops"] as? Int ?? 0)).compactMap { $0["id"] as? String }
            })
            let newRoutes = replacement["routes"] as? [[String: Any]] ?? []
            #expect(newRoutes.map { $0["vehicle_id"] as? String } == [survivor])
            let replanned = Set(newRoutes.flatMap { ($0["stops"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String } })
            // The victim's van may still report stops of the old plan afterwards: what is left now is a subset.
            #expect(!replanned.isEmpty && left.isSubset(of: replanned), "\(replanned) vs \(left)")
            #expect(newRoutes.allSatisfy { $0["command_id"] is String }, "the replacement was dispatched")
            // The old plan cannot be dispatched again.
            let again = try await Fleetctl.run(["routes", "dispatch", id] + suite.routingAPI)
            #expect(again.exitCode == 6, "\(again)")
            // The survivor drives the re-planned route (its kind, robot or van, is the simulator's choice: a first stop
            // reached is proof enough, the first test follows a plan to its end).
            try await eventually("the survivor reports a stop of the re-planned route", seconds: 120) {
                let current = try await suite.plan(next)["routes"] as? [[String: Any]] ?? []
                return current.contains { ($0["completed_stops"] as? Int ?? 0) >= 1 }
            }
        }
    }
}
