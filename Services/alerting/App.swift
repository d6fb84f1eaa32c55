import FleetService
import Hummingbird

/// `fleet-alerting`: alert rules over fleet events, and signed webhooks delivered through a PostgreSQL outbox.
/// Configuration from the environment; see docs/configuration.md.
@main
struct App {
    static func main() async throws {
        let reader = FleetConfiguration.environmentReader()
        let runtime = try FleetServiceRuntime.bootstrap(serviceName: "fleet-alerting", reader: reader, defaultHTTPPort: 8083)
        let configuration = try AlertingConfiguration(reader: reader)
        let app = try await buildApplication(runtime: runtime, configuration: configuration)
        try await runtime.run([app])
    }
}
