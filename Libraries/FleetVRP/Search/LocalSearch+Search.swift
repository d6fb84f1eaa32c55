extension LocalSearch {
    /// Improves the held plan until no move between promising stops and their neighbours pays. With `exhaustive`
    /// every stop is promising; otherwise the plan is first perturbed and only what the perturbation touched starts
    /// moves (the rest is already a local optimum from the previous call).
    mutating func improve(exhaustive: Bool) {
        for client in 0..<problem.clientCount { lastTested[client] = -1 }
        order.shuffle(using: &random)
        operators.shuffle(using: &random)
        if exhaustive {
            for client in 0..<problem.clientCount { promising[client] = true }
        } else {
            perturb(count: Int.random(in: perturbationRange, using: &random))
        }
        insertMissingRequired()
        search()
    }

    private mutating func search() {
        var completed = false
        while !completed {
            completed = true
            for uIndex in order.indices {
                let u = Int(order[uIndex])
                guard promising[u] else { continue }
                let lastTest = lastTested[u]
                lastTested[u] = updates
                if applyOptionalMoves(u) { completed = false }
                let uRoute = Int(nodeRoute[u])
                guard uRoute >= 0 else { continue }
                for index in problem.neighbourStart[u]..<problem.neighbourStart[u + 1] {
                    let v = Int(problem.neighbours[index])
                    let vRoute = Int(nodeRoute[v])
                    guard vRoute >= 0, nodeRoute[u] >= 0 else { continue }
                    guard lastUpdated[Int(nodeRoute[u])] > lastTest || lastUpdated[vRoute] > lastTest else { continue }
                    if applyFirstImproving(u, v) {
                        completed = false
                        continue
                    }
                    if nodePosition[v] == 1, applyFirstImproving(u, problem.startNode(of: vRoute)) {
                        completed = false
                    }
                }
                if nodeRoute[u] >= 0, let empty = (0..<problem.routeCount).first(where: { length[$0] == 0 }) {
                    if applyFirstImproving(u, problem.startNode(of: empty)) { completed = false }
                }
            }
        }
    }

    /// Applies the first operator that improves on (u, v); marks both promising.
    private mutating func applyFirstImproving(_ u: Int, _ v: Int) -> Bool {
        for move in operators {
            guard let delta = evaluate(move, u, v), delta < 0 else { continue }
            #if DEBUG
            let before = totalPenalisedCost()
            #endif
            apply(move, u, v)
            #if DEBUG
            // Move evaluation must be exact, or the search accepts fake improvements.
            let after = totalPenalisedCost()
            assert(after == before + delta, "\(move) priced \(delta) but changed the cost by \(after - before)")
            #endif
            promising[u] = true
            if v < problem.clientCount { promising[v] = true }
            return true
        }
        return false
    }

    /// Optional stops: insert an unplanned one whose prize pays for it, remove a planned one that does not pay.
    private mutating func applyOptionalMoves(_ u: Int) -> Bool {
        guard !problem.isRequired[u] else { return false }
        if nodeRoute[u] < 0 {
            return insertBest(u, required: false)
        }
        if removalCost(u) + problem.prize[u] < 0 {
            remove(u)
            return true
        }
        return false
    }

    /// Ruins and recreates around random stops (PyVRP's perturbation): a random stop and its neighbours are taken
    /// out when planned and put in when not, until `count` stops have been touched.
    private mutating func perturb(count: Int) {
        for client in 0..<problem.clientCount { promising[client] = false }
        guard count > 0 else { return }
        var touched = [Bool](repeating: false, count: problem.clientCount)
        var movesLeft = count
        for uIndex in order.indices {
            let u = Int(order[uIndex])
            var group: [Int] = []
            if !touched[u] {
                touched[u] = true
                group.append(u)
            }
            for index in problem.neighbourStart[u]..<problem.neighbourStart[u + 1] {
                let v = Int(problem.neighbours[index])
                if !touched[v] {
                    touched[v] = true
                    group.append(v)
                }
            }
            // Grouped by route so each route is rebuilt once per group.
            group.sort { nodeRoute[$0] < nodeRoute[$1] }
            for node in group {
                promising[node] = true
                if nodeRoute[node] >= 0 {
                    remove(node)
                } else {
                    insertBest(node, required: true)
                }
                movesLeft -= 1
                if movesLeft == 0 { return }
            }
        }
    }

    /// Puts every required stop left out (by the perturbation, or a plan loaded without it) back where it costs least.
    private mutating func insertMissingRequired() {
        for uIndex in order.indices {
            let u = Int(order[uIndex])
            guard nodeRoute[u] < 0, problem.isRequired[u] else { continue }
            insertBest(u, required: true)
            promising[u] = true
        }
    }
}

extension LocalSearch {
    /// Penalised cost of all routes (a check on move evaluation).
    func totalPenalisedCost() -> Int {
        (0..<problem.routeCount).reduce(0) { $0 + cost(of: $1) }
    }
}
