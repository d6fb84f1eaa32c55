/// Adapts the prices of excess load and lateness so that about `targetFeasible` of the local search results are
/// feasible (the search crosses infeasible space, which finds better plans than staying feasible; Nagata et al. 2010,
/// as tuned by PyVRP).
struct PenaltyManager: Sendable {
    struct Parameters: Hashable, Sendable {
        var solutionsBetweenUpdates = 500
        var increase = 1.5
        var decrease = 0.9
        var targetFeasible = 0.65
        var tolerance = 0.05
        var minimum = 0.1
        var maximum = 100_000.0
    }

    let parameters: Parameters
    private(set) var loadPenalty: Double
    private(set) var timeWarpPenalty: Double
    private var loadFeasible = 0
    private var timeFeasible = 0
    private var registered = 0

    /// Starts from prices that make one unit of excess load, or of lateness, cost about as much as an average arc
    /// (PyVRP's earlier `init_from`; starting mid-range instead takes tens of thousands of iterations to come down).
    init(problem: SearchProblem, parameters: Parameters = Parameters()) {
        self.parameters = parameters
        var distance = 0.0
        var duration = 0.0
        let cells = Double(problem.distances.count)
        for index in problem.distances.indices {
            distance += Double(problem.distances[index])
            duration += Double(problem.durations[index])
        }
        let clients = max(problem.clientCount, 1)
        let demand = Double(problem.nodeDemand.prefix(clients).reduce(0, +)) / Double(clients)
        let meanDistance = distance / max(cells, 1)
        let meanDuration = duration / max(cells, 1)
        func clamp(_ value: Double) -> Double { min(max(value, parameters.minimum), parameters.maximum) }
        loadPenalty = clamp(demand > 0 ? meanDistance / demand : 1)
        timeWarpPenalty = clamp(meanDuration > 0 ? meanDistance / meanDuration : 1)
    }

    /// The prices at their maximum: used to build a first solution that is as feasible as the search can make it.
    var strictest: CostModel {
        CostModel(loadPenalty: parameters.maximum, timeWarpPenalty: parameters.maximum)
    }

    /// The current prices.
    var costModel: CostModel { CostModel(loadPenalty: loadPenalty, timeWarpPenalty: timeWarpPenalty) }

    /// Counts one search result; every `solutionsBetweenUpdates` results the prices move toward the target.
    mutating func register(excessLoad: Int, timeWarp: Int) {
        if excessLoad == 0 { loadFeasible += 1 }
        if timeWarp == 0 { timeFeasible += 1 }
        registered += 1
        guard registered == parameters.solutionsBetweenUpdates else { return }
        loadPenalty = adjusted(loadPenalty, feasibleShare: Double(loadFeasible) / Double(registered))
        timeWarpPenalty = adjusted(timeWarpPenalty, feasibleShare: Double(timeFeasible) / Double(registered))
        loadFeasible = 0
        timeFeasible = 0
        registered = 0
    }

    private func adjusted(_ penalty: Double, feasibleShare: Double) -> Double {
        let difference = parameters.targetFeasible - feasibleShare
        guard abs(difference) >= parameters.tolerance else { return penalty }
        let next = difference > 0 ? penalty * parameters.increase : penalty * parameters.decrease
        return min(max(next, parameters.minimum), parameters.maximum)
    }
}

/// Prices of constraint violations: cost = distance + loadPenalty·excess load + timeWarpPenalty·time warp.
struct CostModel: Hashable, Sendable {
    var loadPenalty: Double
    var timeWarpPenalty: Double

    @inline(__always)
    func penalty(excessLoad: Int, timeWarp: Int) -> Int {
        Int(loadPenalty * Double(excessLoad)) + Int(timeWarpPenalty * Double(timeWarp))
    }
}
