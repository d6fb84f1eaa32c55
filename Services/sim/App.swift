import ArgumentParser

/// `fleet-sim`: thousands of simulated vehicles on a real road network (default), trace replay, a host agent and a
/// benchmark. Configuration comes from the environment (see docs/configuration.md, section fleet-sim); the few flags
/// override it.
@main
struct FleetSimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleet-sim",
        abstract: "Simulated vehicles for Fleet: drive a road network, replay GPS traces, report a host, benchmark.",
        subcommands: [RunCommand.self, ReplayCommand.self, AgentCommand.self, BenchCommand.self],
        defaultSubcommand: RunCommand.self
    )
}
