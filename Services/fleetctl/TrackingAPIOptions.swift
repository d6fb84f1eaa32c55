import ArgumentParser
import Foundation

/// `--tracking-url`, `--token`, `--output`/`--json`, `--request-timeout`: where and how to talk to fleet-tracking.
///
/// The URL comes from `--tracking-url`, else `FLEET_TRACKING_URL`, else the `fleetctl login` profile's `tracking_url`,
/// else `http://127.0.0.1:8081`; the token from `--token`, else `FLEET_TOKEN`/`FLEET_CONTROL_TOKEN`, else the profile.
struct TrackingAPIOptions: ParsableArguments, Sendable {
    @Option(
        name: .customLong("tracking-url"),
        help: "fleet-tracking base URL (default: FLEET_TRACKING_URL, the fleetctl login profile, or http://127.0.0.1:8081).")
    var baseURL: String = FleetctlProfile.environment["FLEET_TRACKING_URL"] ?? FleetctlProfile.current.trackingURL ?? "http://127.0.0.1:8081"

    @Option(help: "API token (admin to archive, restore and create reports, fleet:read to read; default: FLEET_TOKEN, FLEET_CONTROL_TOKEN, or the one saved by fleetctl login).")
    var token: String?

    @Option(name: [.customShort("o"), .long], help: "Output format: table or json.")
    var output: ControlOptions.Output = .table

    @Flag(help: "Print the service's JSON (the same as -o json).")
    var json = false

    @Option(help: "Seconds to wait for each HTTP response (default: 30; 300 for reports create; 600 for archive run and restore).")
    var requestTimeout: Double?

    /// Whether to print JSON instead of a table.
    var isJSON: Bool { json || output == .json }

    func validate() throws {
        if let requestTimeout, !(requestTimeout > 0) { throw ValidationError("--request-timeout must be a positive number of seconds") }
    }

    /// A client for fleet-tracking; `defaultTimeout` applies unless `--request-timeout` is given.
    func client(defaultTimeout: Double = 30) -> ServiceAPI {
        ServiceAPI(service: "fleet-tracking", baseURL: baseURL, token: token ?? FleetctlProfile.token, timeout: requestTimeout ?? defaultTimeout)
    }

    /// Runs `body`, turning a ``ControlCLIError`` into its message on stderr and its exit code (3, 4, 5, 6 or 1).
    func run(_ body: () async throws -> Void) async throws {
        try await ServiceAPI.reportingErrors(body)
    }
}
