import ArgumentParser
import Foundation

/// `--health`, `--token`, `--output`, `--request-timeout`: where and how to talk to fleet-health.
///
/// The URL comes from `--health`, else `FLEET_HEALTH_URL`, else the `fleetctl login` profile's `health_url`, else
/// `http://127.0.0.1:8084`; the token from `--token`, else `FLEET_TOKEN`/`FLEET_CONTROL_TOKEN`, else the profile.
struct HealthAPIOptions: ParsableArguments, Sendable {
    @Option(name: .customLong("health"), help: "fleet-health base URL (default: FLEET_HEALTH_URL, the fleetctl login profile, or http://127.0.0.1:8084).")
    var baseURL: String = FleetctlProfile.environment["FLEET_HEALTH_URL"] ?? FleetctlProfile.current.healthURL ?? "http://127.0.0.1:8084"

    @Option(help: "API token with fleet:read (default: FLEET_TOKEN, FLEET_CONTROL_TOKEN, or the one saved by fleetctl login).")
    var token: String?

    @Option(name: [.customShort("o"), .long], help: "Output format: table or json.")
    var output: ControlOptions.Output = .table

    @Option(help: "Seconds to wait for each HTTP response.")
    var requestTimeout: Double = 30

    /// The client these options describe.
    var client: ServiceAPI { ServiceAPI(service: "fleet-health", baseURL: baseURL, token: token ?? FleetctlProfile.token, timeout: requestTimeout) }

    /// Runs `body`, turning a ``ControlCLIError`` into its message on stderr and its exit code (3, 4, 5, 6 or 1).
    func run(_ body: () async throws -> Void) async throws {
        try await ServiceAPI.reportingErrors(body)
    }
}
