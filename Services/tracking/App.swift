import FleetService
import Hummingbird

/// `fleet-tracking`: telemetry ingest (MQTT shared subscription and HTTP), positions, history,
/// trips, geofences, fleet events and the live stream. Configuration: docs/configuration.md.
@main
struct App {
    static func main() async throws {
        let reader = FleetConfiguration.environmentReader()
        let runtime = try FleetServiceRuntime.bootstrap(serviceName: "fleet-tracking", reader: reader, defaultHTTPPort: 8081)
        let configuration = try TrackingConfiguration(reader: reader)
        let app = try await buildApplication(runtime: runtime, configuration: configuration)
        try await app.runService()
    }
}
