import ArgumentParser
import FleetVRP
import Foundation

/// `fleet-routing bench …`: benchmarks that print their figures. Targets are judged from the figures, never in tests.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks: the solver (default), the travel-time matrix, the telemetry pipeline.",
        subcommands: [SolverBench.self, MatrixBench.self, IngestBench.self],
        defaultSubcommand: SolverBench.self
    )
}

/// `fleet-routing bench [solver]`: the solver against literature instances. Prints one row per instance and, last,
/// `solomon mean_gap=<x>% cvrp mean_gap=<y>% infeasible=<n>`.
struct SolverBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "solver",
        abstract: "Solve Solomon and CVRPLIB instances and print the gap to the best-known solutions.",
        discussion: """
            Conventions: Solomon distances truncated to one decimal, total distance, the file's 25 vehicles; CVRPLIB \
            TSPLIB-rounded, k + max(2, ceil(0.2k)) vehicles. One thread.
              fleet-routing bench --instances ../shared/data/vrp --time-limit 5
              fleet-routing bench --instance ../shared/data/vrp/solomon/R101.txt --seeds 3
            """
    )

    @Option(help: "Folder with solomon/*.txt, cvrp/*.vrp and bks.csv.") var instances: String?
    @Option(help: "A single instance file (its folder's parent is searched for bks.csv).") var instance: String?
    @Option(help: "Seconds per instance and seed.") var timeLimit: Double = 5
    @Option(help: "Seeds per instance (the gap uses the mean cost over seeds).") var seeds: Int = 1
    @Option(help: "First seed.") var seed: UInt64 = 1

    func validate() throws {
        guard (instances == nil) != (instance == nil) else {
            throw ValidationError("Give exactly one of --instances or --instance.")
        }
        guard timeLimit > 0, seeds > 0 else { throw ValidationError("--time-limit and --seeds must be positive.") }
    }

    func run() async throws {
        let files: [URL]
        let bksURL: URL
        if let instances {
            let folder = URL(fileURLWithPath: instances)
            files = VRPBenchmark.instances(in: folder)
            bksURL = folder.appendingPathComponent("bks.csv")
            guard !files.isEmpty else { throw ValidationError("No instances under \(instances)/solomon or /cvrp.") }
        } else {
            let file = URL(fileURLWithPath: instance!)
            files = [file]
            bksURL = file.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("bks.csv")
        }
        let bestKnown = try? BestKnownSolutions(contentsOf: bksURL)
        let seedList = (0..<UInt64(seeds)).map { seed &+ $0 }
        emit("instance      family   cost        bks         gap%     feasible  routes  seconds  iter/s")
        var rows: [VRPBenchmark.Row] = []
        for file in files {
            let row = try VRPBenchmark.run(
                instance: file, bestKnown: bestKnown, timeLimit: .milliseconds(Int(timeLimit * 1000)), seeds: seedList)
            rows.append(row)
            let gap = row.gapPercent.map { String(format: "%7.2f", $0) } ?? "      -"
            let bks = row.bestKnown.map { String(format: "%10.1f", $0) } ?? "         -"
            emit(
                "\(row.instance.padding(toLength: 13, withPad: " ", startingAt: 0)) "
                    + "\(row.family.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) "
                    + String(format: "%10.1f  ", row.cost) + bks + "  " + gap
                    + "  \(row.feasible ? "yes" : "NO ")       " + String(format: "%3d", row.routes)
                    + String(format: "  %7.2f  %7.0f", row.seconds, row.iterationsPerSecond))
        }
        func meanGap(_ family: VRPBenchmark.Family) -> String {
            let gaps = rows.filter { $0.family == family }.compactMap(\.gapPercent)
            guard !gaps.isEmpty else { return "n/a" }
            return String(format: "%.2f%%", gaps.reduce(0, +) / Double(gaps.count))
        }
        let infeasible = rows.filter { !$0.feasible }.count
        emit("solomon mean_gap=\(meanGap(.solomon)) cvrp mean_gap=\(meanGap(.cvrp)) infeasible=\(infeasible)")
    }
}

/// Writes one line to standard output at once, so progress shows through pipes.
func emit(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
