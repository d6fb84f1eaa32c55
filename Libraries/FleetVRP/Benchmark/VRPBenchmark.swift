import Foundation

/// Solves literature instances and measures the gap to their best-known costs (prints nothing; `fleet-routing bench`
/// prints the rows).
public enum VRPBenchmark {
    /// The instance families and their conventions.
    public enum Family: String, Hashable, Sendable {
        /// Solomon VRPTW, DIMACS convention (truncated tenths).
        case solomon
        /// CVRPLIB, TSPLIB rounding.
        case cvrp

        /// The `bks.csv` convention.
        public var convention: String { self == .solomon ? "dimacs" : "round" }
    }

    /// One solved instance.
    public struct Row: Hashable, Sendable {
        public var instance: String
        public var family: Family
        /// Mean cost over the seeds, in the file's unit.
        public var cost: Double
        /// Best-known cost, if listed.
        public var bestKnown: Double?
        /// 100·(cost − best known)/best known.
        public var gapPercent: Double? {
            bestKnown.map { 100 * (cost - $0) / $0 }
        }
        /// Whether every seed's answer passed ``FeasibilityChecker``.
        public var feasible: Bool
        /// Mean solve time, seconds.
        public var seconds: Double
        /// Mean iterations per second.
        public var iterationsPerSecond: Double
        /// Routes of the last seed's answer.
        public var routes: Int
    }

    /// The family of an instance file, from its extension.
    public static func family(of url: URL) -> Family? {
        switch url.pathExtension.lowercased() {
        case "txt": .solomon
        case "vrp": .cvrp
        default: nil
        }
    }

    /// Instance files under `folder` (`solomon/*.txt`, `cvrp/*.vrp`), sorted by family then name.
    public static func instances(in folder: URL) -> [URL] {
        var found: [URL] = []
        for sub in ["solomon", "cvrp"] {
            let directory = folder.appendingPathComponent(sub)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
            found += names.sorted().map { directory.appendingPathComponent($0) }.filter { family(of: $0) != nil }
        }
        return found
    }

    /// Solves `url` once per seed with `timeLimit` each and checks every answer.
    public static func run(
        instance url: URL, bestKnown: BestKnownSolutions?, timeLimit: Duration, seeds: [UInt64]
    ) throws(VRPProblemError) -> Row {
        guard let family = family(of: url) else { throw .unreadable("\(url.lastPathComponent): unknown instance type") }
        let problem =
            family == .solomon ? try SolomonInstance.read(contentsOf: url) : try CVRPLibInstance.read(contentsOf: url)
        let scale = family == .solomon ? Double(SolomonInstance.scale) : 1
        let name = url.deletingPathExtension().lastPathComponent
        let solver = VRPSolver(problem: problem)
        var total = 0.0
        var seconds = 0.0
        var rate = 0.0
        var feasible = true
        var routes = 0
        for seed in seeds {
            let result = solver.solve(parameters: .init(seed: seed, timeLimit: timeLimit))
            let report = FeasibilityChecker.check(result.solution, against: problem)
            feasible = feasible && report.isFeasible && result.isFeasible
            total += Double(report.objective) / scale
            let elapsed = Double(result.elapsed.components.seconds) + Double(result.elapsed.components.attoseconds) * 1e-18
            seconds += elapsed
            rate += Double(result.iterations) / max(elapsed, 1e-9)
            routes = result.solution.routes.filter { !$0.isEmpty }.count
        }
        let runs = Double(seeds.count)
        return Row(
            instance: name, family: family, cost: total / runs,
            bestKnown: bestKnown?.cost(of: name, convention: family.convention), feasible: feasible,
            seconds: seconds / runs, iterationsPerSecond: rate / runs, routes: routes)
    }
}
