import ArgumentParser
import FleetCore
import FleetGeo
import FleetService
import FleetSimulation
import Foundation
import Hummingbird
import Logging

/// `fleet-sim agent`: this host as one vehicle, reporting its own CPU, memory, disk and network.
struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Report this host as one vehicle: CPU, memory, disk and network from /proc, at a configured position."
    )

    @Option(help: "Vehicle id (default FLEET_SIM_AGENT_ID, else agent-<host name>).") var vehicleID: String?
    @Option(help: "Latitude (default FLEET_SIM_AGENT_LAT, else 43.7384, Monaco).") var latitude: Double?
    @Option(help: "Longitude (default FLEET_SIM_AGENT_LON, else 7.4246).") var longitude: Double?

    func run() async throws {
        let reader = simulatorReader(overrides: [:])
        let runtime = try FleetServiceRuntime.bootstrap(serviceName: simulatorServiceName, reader: reader, defaultHTTPPort: simulatorDefaultHTTPPort)
        let settings = try SimulatorSettings(reader: reader)
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "host"
        let idText = vehicleID ?? reader.fleetOptionalString("fleet.sim.agent.id") ?? "agent-\(host)"
        guard let id = VehicleID(validating: idText) else {
            throw ValidationError("vehicle id \"\(idText)\" must match [A-Za-z0-9._-]{1,64}")
        }
        let position = GeoCoordinate(
            latitude: try latitude ?? reader.fleetDouble("fleet.sim.agent.lat", default: 43.7384, range: -90...90),
            longitude: try longitude ?? reader.fleetDouble("fleet.sim.agent.lon", default: 7.4246, range: -180...180))
        let agent = HostAgent(id: id, position: position)
        runtime.logger.info("Reporting this host as a vehicle", metadata: ["vehicle.id": "\(id)", "position": "\(position)"])
        let (application, _, _) = try buildApplication(
            runtime: runtime, model: agent, configuration: settings.gateway, filters: .single(id))
        try await application.runService()
    }
}
