import ArgumentParser

/// The Fleet command line: talk to the broker, run benchmarks; later issues add vehicles, commands, alerts.
@main
struct Fleetctl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleetctl",
        abstract: "Operate a Fleet installation from the command line.",
        discussion: "Connection settings come from flags or the FLEET_MQTT_* environment (eval \"$(scripts/stack.sh env)\").",
        subcommands: [MQTTCommand.self, BenchCommand.self, AlertsCommand.self, WebhooksCommand.self]
    )
}
