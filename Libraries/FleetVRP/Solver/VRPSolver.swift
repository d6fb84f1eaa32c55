import FleetCore

/// Solves a ``VRPProblem`` by iterated local search (PyVRP 0.14's scheme): perturb the current plan around a random
/// stop, repair and improve it with the granular local search, and accept it by late-acceptance hill climbing; the
/// prices of excess load and lateness adapt so the search crosses infeasible plans on its way to better feasible ones.
///
/// Deterministic for a seed and an iteration limit; a time limit stops it on the clock.
public struct VRPSolver: Sendable {
    /// Search settings.
    public struct Parameters: Hashable, Sendable {
        /// Seed of the random stream.
        public var seed: UInt64
        /// Wall-clock limit.
        public var timeLimit: Duration
        /// Iteration limit (`nil`: only the clock stops the search). With a limit and no tight clock, the result is
        /// reproducible.
        public var iterationLimit: Int?
        /// Granular neighbourhood size.
        public var neighbourCount: Int
        /// Late-acceptance history length.
        public var historyLength: Int
        /// Iterations without a new best before the search restarts from the best.
        public var restartAfter: Int

        /// Creates settings; the defaults are PyVRP's.
        public init(
            seed: UInt64 = 1, timeLimit: Duration = .seconds(5), iterationLimit: Int? = nil, neighbourCount: Int = 50,
            historyLength: Int = 300, restartAfter: Int = 150_000
        ) {
            self.seed = seed
            self.timeLimit = timeLimit
            self.iterationLimit = iterationLimit
            self.neighbourCount = neighbourCount
            self.historyLength = historyLength
            self.restartAfter = restartAfter
        }
    }

    /// What the search found.
    public struct Result: Hashable, Sendable {
        /// The best feasible plan found, or the least infeasible one when none was feasible.
        public var solution: VRPSolution
        /// Whether ``solution`` breaks no constraint (as the solver measures it; ``FeasibilityChecker`` re-checks).
        public var isFeasible: Bool
        /// Total distance of ``solution``.
        public var distance: Int
        /// Distance plus prizes of optional stops left out.
        public var objective: Int
        /// Iterations run.
        public var iterations: Int
        /// Time spent.
        public var elapsed: Duration
    }

    /// The problem solved.
    public let problem: VRPProblem
    private let searchProblem: SearchProblem

    /// Prepares `problem` (neighbour lists are computed here, once).
    public init(problem: VRPProblem, neighbourCount: Int = 50) {
        self.problem = problem
        searchProblem = SearchProblem(problem, neighbourCount: neighbourCount)
    }

    /// Runs the search. `initial` warm-starts it from a plan (for instance the one being driven).
    public func solve(parameters: Parameters = Parameters(), initial: VRPSolution? = nil) -> Result {
        let clock = ContinuousClock()
        let started = clock.now
        let deadline = started.advanced(by: parameters.timeLimit)
        var penalties = PenaltyManager(problem: searchProblem)
        var search = LocalSearch(problem: searchProblem, seed: parameters.seed)
        var random = SplitMix64(seed: parameters.seed ^ 0x9E37_79B9_7F4A_7C15)

        // Start: the warm start, or stops dealt to random routes; then a full search at the strictest prices.
        if let initial, initial.routes.count == problem.vehicles.count {
            search.load(initial.routes)
        } else {
            var routes = [[Int]](repeating: [], count: problem.vehicles.count)
            let used = max(1, min(problem.vehicles.count, problem.clients.count))
            for client in problem.clients.indices where problem.clients[client].isRequired {
                routes[Int.random(in: 0..<used, using: &random)].append(client)
            }
            search.load(routes)
        }
        search.setCostModel(penalties.strictest)
        search.improve(exhaustive: true)

        var current = Snapshot(routes: search.unload(), measures: search.measures)
        let initialSnapshot = current
        var best = current
        var bestFeasible: Snapshot? = current.measures.isFeasible ? current : nil
        var history = [PlanMeasures?](repeating: nil, count: parameters.historyLength)
        var historyIndex = 0
        var iterations = 0
        var sinceImprovement = 0
        // Whether the search still holds `current` (after an accepted candidate it does: no reload needed).
        var holdsCurrent = true

        while clock.now < deadline {
            if let limit = parameters.iterationLimit, iterations >= limit { break }
            iterations += 1
            if sinceImprovement == parameters.restartAfter {
                for index in history.indices { history[index] = nil }
                current = bestFeasible ?? best
                sinceImprovement = 0
                holdsCurrent = false
            }
            let model = penalties.costModel
            search.setCostModel(model)
            if !holdsCurrent { search.load(current.routes) }
            search.improve(exhaustive: false)
            var candidate = Snapshot(routes: search.unload(), measures: search.measures)
            penalties.register(excessLoad: candidate.measures.excessLoad, timeWarp: candidate.measures.timeWarp)
            sinceImprovement += 1

            if candidate.measures.isFeasible,
                bestFeasible.map({ candidate.measures.objective < $0.measures.objective }) ?? true
            {
                bestFeasible = candidate
                sinceImprovement = 0
                // A new best: see whether a search from every stop improves it further.
                search.improve(exhaustive: true)
                let polished = Snapshot(routes: search.unload(), measures: search.measures)
                if polished.measures.isFeasible, polished.measures.objective <= candidate.measures.objective {
                    bestFeasible = polished
                    candidate = polished
                } else {
                    search.load(candidate.routes)
                }
            }
            if candidate.measures.penalisedCost(model) < best.measures.penalisedCost(model) { best = candidate }

            // Late acceptance hill climbing (Burke & Bykov 2017) with both of PyVRP's refinements.
            let candidateCost = candidate.measures.penalisedCost(model)
            let currentCost = current.measures.penalisedCost(model)
            let late = history[historyIndex]
            let lateCost = (late ?? initialSnapshot.measures).penalisedCost(model)
            // Equal-cost candidates are accepted too: walking plateaus of equally good plans is what lets the search
            // leave a basin where every perturbation comes back to the same cost (measured: E-n76-k7 1.32 % → 0 %,
            // R104 0.60 % → 0 % at 5 s).
            if candidateCost < lateCost || candidateCost <= currentCost {
                current = candidate
                holdsCurrent = true
            } else {
                holdsCurrent = false
            }
            if late == nil || current.measures.penalisedCost(model) < lateCost {
                history[historyIndex] = current.measures
            }
            historyIndex = (historyIndex + 1) % history.count
        }

        let answer = bestFeasible ?? best
        return Result(
            solution: VRPSolution(routes: answer.routes), isFeasible: answer.measures.isFeasible,
            distance: answer.measures.distance, objective: answer.measures.objective, iterations: iterations,
            elapsed: clock.now - started)
    }

    private struct Snapshot {
        var routes: [[Int]]
        var measures: PlanMeasures
    }
}
