import ArgumentParser
import Configuration
import FleetService
import Hummingbird

/// `fleet-routing`: delivery routes on the road network with live traffic (the default `serve`), and the benchmarks
/// behind its figures.
@main
struct App: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleet-routing",
        abstract: "Fleet routing: travel-time matrices, vehicle routing with time windows, live traffic and jams.",
        subcommands: [ServeCommand.self, BenchCommand.self, TrafficCommand.self],
        defaultSubcommand: ServeCommand.self
    )
}

/// `fleet-routing serve` (the default): the service. Configuration from the environment; see docs/configuration.md.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the service (until SIGTERM/SIGINT).")

    func run() async throws {
        let reader = FleetConfiguration.environmentReader()
        let runtime = try FleetServiceRuntime.bootstrap(serviceName: "fleet-routing", reader: reader, defaultHTTPPort: 8085)
        let configuration = try RoutingConfiguration(reader: reader)
        let app = try await buildApplication(runtime: runtime, configuration: configuration)
        try await runtime.run([app])
    }
}
