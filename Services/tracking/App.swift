import ArgumentParser
import FleetService
import Hummingbird

/// `fleet-tracking`: telemetry ingest (MQTT shared subscription and HTTP), positions, history, trips, geofences, fleet
/// events, the live stream, the cold archive and fleet reports (the default `serve`); and the commands that generate
/// fleet history and benchmark the archive and the reports. Configuration: docs/configuration.md.
@main
struct App: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleet-tracking",
        abstract: "Fleet tracking: ingest, positions and history, geofences, events, live stream, cold archive, reports.",
        subcommands: [ServeCommand.self, GenerateHistoryCommand.self, BenchCommand.self],
        defaultSubcommand: ServeCommand.self
    )
}

/// `fleet-tracking serve` (the default): the service, until SIGTERM/SIGINT.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the service (until SIGTERM/SIGINT).")

    func run() async throws {
        let reader = FleetConfiguration.environmentReader()
        let runtime = try FleetServiceRuntime.bootstrap(serviceName: "fleet-tracking", reader: reader, defaultHTTPPort: 8081)
        let configuration = try TrackingConfiguration(reader: reader)
        let app = try await buildApplication(runtime: runtime, configuration: configuration)
        try await runtime.run([app])
    }
}
