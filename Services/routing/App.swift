import ArgumentParser

/// `fleet-routing`: delivery routes on the road network with live traffic, and the benchmarks behind its figures.
@main
struct App: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleet-routing",
        abstract: "Fleet routing: travel-time matrices, vehicle routing with time windows, live traffic and jams.",
        subcommands: [BenchCommand.self]
    )
}
