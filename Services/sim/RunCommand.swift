import ArgumentParser
import Configuration
import FleetGeo
import FleetService
import FleetSimulation
import Foundation
import Logging
import Hummingbird

/// `fleet-sim run` (the default): vehicles driving shortest paths on an OpenStreetMap road network.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Simulate vehicles driving a road network and publish them to the broker (runs until SIGTERM/SIGINT)."
    )

    @Option(help: "Vehicles (overrides FLEET_SIM_VEHICLES, default 300).") var vehicles: Int?
    @Option(help: "Seed (overrides FLEET_SIM_SEED, default 1).") var seed: UInt64?
    @Option(help: "OSM extract, .osm.pbf or .osm (overrides FLEET_SIM_MAP).") var map: String?

    func run() async throws {
        var overrides: [AbsoluteConfigKey: ConfigValue] = [:]
        if let vehicles { overrides[AbsoluteConfigKey(ConfigKey("fleet.sim.vehicles"))] = ConfigValue(.int(vehicles), isSecret: false) }
        if let seed { overrides[AbsoluteConfigKey(ConfigKey("fleet.sim.seed"))] = ConfigValue(.int(Int(clamping: seed)), isSecret: false) }
        if let map { overrides[AbsoluteConfigKey(ConfigKey("fleet.sim.map"))] = ConfigValue(.string(map), isSecret: false) }
        let reader = simulatorReader(overrides: overrides)
        let runtime = try FleetServiceRuntime.bootstrap(serviceName: simulatorServiceName, reader: reader, defaultHTTPPort: simulatorDefaultHTTPPort)
        let settings = try SimulatorSettings(reader: reader)
        runtime.logger.info("Loading road network", metadata: ["map": "\(settings.mapPath)"])
        let graph = try RoadGraph.load(contentsOf: settings.mapURL)
        var fleet = try RoadFleet(graph: graph, setup: settings.setup)
        fleet.degradation = DegradationData.replay(
            directory: settings.healthDataPath, count: min(settings.degradedVehicles, settings.vehicles),
            engineCycleSeconds: settings.engineCycleSeconds, batteryCycleSeconds: settings.batteryCycleSeconds,
            isElectric: { [fleet] in fleet.isElectric($0) }, logger: runtime.logger)
        runtime.logger.info(
            "Fleet generated",
            metadata: [
                "vehicles": "\(settings.vehicles)", "seed": "\(settings.seed)", "graph.nodes": "\(graph.nodeCount)",
                "graph.edges": "\(graph.edgeCount)", "fault.rate": "\(settings.faultRate)",
            ])
        let (application, _, _) = try buildApplication(runtime: runtime, model: fleet, configuration: settings.gateway)
        try await application.runService()
    }
}

/// The environment (with the password variables secret), under explicit command-line overrides.
func simulatorReader(overrides: [AbsoluteConfigKey: ConfigValue]) -> ConfigReader {
    ConfigReader(providers: [
        InMemoryProvider(name: "command line", values: overrides),
        EnvironmentVariablesProvider(secretsSpecifier: .specific(["FLEET_POSTGRES_PASSWORD", "FLEET_MQTT_PASSWORD"])),
    ])
}
