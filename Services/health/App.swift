import ArgumentParser
import Configuration
import FleetService
import Hummingbird

/// `fleet-health`: live vehicle health (the default `serve`), and the commands that train and evaluate its models.
@main
struct App: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleet-health",
        abstract: "Fleet health: fault, energy, overheating, silence and anomaly events, downtime incidents, maintenance forecasts.",
        subcommands: [ServeCommand.self, RULCommand.self, BatteryCommand.self, AnomalyCommand.self, BenchCommand.self],
        defaultSubcommand: ServeCommand.self
    )
}

/// `fleet-health serve` (the default): the service. Configuration from the environment; see docs/configuration.md.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the service (until SIGTERM/SIGINT).")

    func run() async throws {
        let reader = FleetConfiguration.environmentReader()
        let runtime = try FleetServiceRuntime.bootstrap(serviceName: "fleet-health", reader: reader, defaultHTTPPort: 8084)
        let configuration = try HealthConfiguration(reader: reader)
        let app = try await buildApplication(runtime: runtime, configuration: configuration)
        try await runtime.run([app])
    }
}
