import Configuration
import FleetService
import Hummingbird

/// fleet-control: the control API (commands with acknowledgements, vehicles and tags, tokens, audit).
/// Configuration from the environment; see docs/configuration.md.
@main
struct App {
    static func main() async throws {
        let reader = FleetConfiguration.environmentReader()
        let runtime = try FleetServiceRuntime.bootstrap(serviceName: "fleet-control", reader: reader, defaultHTTPPort: 8082)
        let configuration = try ControlConfiguration(reader: reader)
        let app = try await buildApplication(runtime: runtime, configuration: configuration)
        try await runtime.run([app])
    }
}
