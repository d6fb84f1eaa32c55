import ArgumentParser
import Foundation

/// The Fleet command line: vehicles, commands, tokens, audit, alerts, webhooks, health, incidents, routes, archive, reports, the broker and benchmarks.
@main
struct Fleetctl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleetctl",
        abstract: "Operate a Fleet installation from the command line.",
        discussion: """
            Connection settings come from flags or the FLEET_MQTT_* environment (eval "$(scripts/stack.sh env)"); the control
            API from --api/--token or FLEET_CONTROL_URL/FLEET_CONTROL_TOKEN; fleet-health (health, incidents) from --health or
            FLEET_HEALTH_URL; fleet-tracking (archive, reports) from --tracking-url or FLEET_TRACKING_URL; all of them also from the
            fleetctl login profile.
            Exit status: 0 success, 1 a command was rejected/failed/expired (or another failure), 2 usage, 3 API unreachable,
            4 unauthorised (401/403), 5 not found (404), 6 request refused (400/409/422/429), 7 not answered within --wait.
            """,
        subcommands: [
            MQTTCommand.self, BenchCommand.self, VehiclesCommand.self, PauseCommand.self, ResumeCommand.self, CommandsCommand.self,
            TokensCommand.self, AuditCommand.self, AlertsCommand.self, WebhooksCommand.self, LoginCommand.self, LogoutCommand.self,
            HealthCommand.self, IncidentsCommand.self, RoutesCommand.self, ArchiveCommand.self, ReportsCommand.self, BrokerCommand.self,
        ]
    )

    /// ArgumentParser's own `main`, except that invalid usage exits 2 (as documented) instead of `EX_USAGE` (64).
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(ControlExitCode.usage.rawValue)
            }
            exit(withError: error)
        }
    }
}
