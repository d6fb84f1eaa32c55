import Configuration
import FleetCore
import FleetMQTT
import FleetService
import FleetSimulation
import FleetTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import FleetSim

/// The `fleet-sim` process as `App+build.swift` assembles it: configuration, HTTP endpoints and their OpenAPI document.
@Suite("fleet-sim service")
struct ServiceTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func runtime(_ values: [AbsoluteConfigKey: ConfigValue]) throws -> FleetServiceRuntime {
        let reader = ConfigReader(providers: [InMemoryProvider(values: values)])
        return FleetServiceRuntime(
            configuration: try FleetConfiguration(serviceName: "fleet-sim", reader: reader, defaultHTTPPort: 8089), logger: silentLogger)
    }

    @Test("Health and metrics are served; readiness waits for the broker and the simulation")
    func endpoints() async throws {
        let broker = try TestBroker(persistence: false)
        let runtime = try runtime(["fleet.http.port": 0, "fleet.mqtt.port": .init(.int(broker.port), isSecret: false)])
        let fleet = try RoadFleet(graph: try Monaco.graph.get(), setup: FleetSetup(vehicleCount: 3, faults: .none))
        let (application, simulator, _) = try buildApplication(
            runtime: runtime, model: fleet,
            configuration: GatewayConfiguration(tickInterval: .milliseconds(100), retainedWait: .milliseconds(100)))
        try await application.test(.live) { client in
            try await client.execute(uri: "/health/live", method: .get) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
            }
            let deadline = ContinuousClock.now + .seconds(15)
            while !simulator.isRunning && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
            try await client.execute(uri: "/health/ready", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("simulation"))
            }
            try await client.execute(uri: "/no/such/route", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(String(buffer: response.body).contains("\"error\""))
            }
        }
        #expect(simulator.publishedCount > 0)
    }

    @Test("Every route the router registers is in docs/openapi/fleet-sim.yaml, and every documented path is served")
    func openAPIDocumentMatchesRoutes() throws {
        let runtime = try runtime(["fleet.http.port": 0])
        let fleet = try RoadFleet(graph: try Monaco.graph.get(), setup: FleetSetup(vehicleCount: 1, faults: .none))
        let (_, _, routes) = try buildApplication(runtime: runtime, model: fleet, configuration: GatewayConfiguration())
        let documented = try OpenAPIDocument.operations(at: "docs/openapi/fleet-sim.yaml")
        let served = Set(routes.map { route in
            let parts = route.split(separator: " ", maxSplits: 1)
            let path = parts[1].hasPrefix("/") ? String(parts[1]) : "/\(parts[1])"
            return "\(parts[0]) \(path)"
        })
        #expect(!served.isEmpty)
        #expect(served == documented)
    }

    @Test("Simulator settings: defaults, overrides and clear errors for malformed values")
    func settings() throws {
        let defaults = try SimulatorSettings(reader: ConfigReader(providers: [InMemoryProvider(values: [:])]))
        #expect(defaults.vehicles == 300 && defaults.seed == 1 && defaults.mapPath == "../shared/data/road_network/monaco.osm.pbf")
        #expect(defaults.gateway.outboxCapacity == 600 && defaults.gateway.resendTimeout == .seconds(10))
        let custom = try SimulatorSettings(reader: ConfigReader(providers: [InMemoryProvider(values: [
            "fleet.sim.vehicles": 50, "fleet.sim.fault.rate": "0", "fleet.sim.wire.format": "binary", "fleet.sim.tick.ms": 250,
        ])]))
        #expect(custom.vehicles == 50 && custom.faults == FaultRates.default.scaled(by: 0) && custom.gateway.wireFormat == .binary)
        #expect(custom.gateway.tickInterval == .milliseconds(250))
        #expect(throws: ConfigurationError.self) {
            try SimulatorSettings(reader: ConfigReader(providers: [InMemoryProvider(values: ["fleet.sim.vehicles": 0])]))
        }
        #expect(throws: ConfigurationError.self) {
            try SimulatorSettings(reader: ConfigReader(providers: [InMemoryProvider(values: ["fleet.sim.fault.rate": "lots"])]))
        }
        #expect(throws: ConfigurationError.self) {
            try SimulatorSettings(reader: ConfigReader(providers: [InMemoryProvider(values: ["fleet.sim.id.prefix": "a/b"])]))
        }
    }
}
