import ArgumentParser

/// `fleetctl bench …`: benchmarks that print their figures. Targets are checked here, never in tests.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure throughput and latency on this machine.",
        subcommands: [BenchMQTT.self, BenchCodec.self, BenchIngest.self, BenchWebhooks.self, BenchCommands.self]
    )
}
