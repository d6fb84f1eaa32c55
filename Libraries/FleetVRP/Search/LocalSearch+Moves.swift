extension LocalSearch {
    /// Route and position of `node`: a stop's own, or position 0 of the route a start node belongs to.
    @inline(__always)
    func place(of node: Int) -> (route: Int, position: Int) {
        if node < problem.clientCount { return (Int(nodeRoute[node]), Int(nodePosition[node])) }
        return (node - problem.clientCount, 0)
    }

    /// The change in cost of `move` on stop `u` and node `v`, or `nil` when the move does not apply.
    func evaluate(_ move: Move, _ u: Int, _ v: Int) -> Int? {
        switch move {
        case .relocate1: evaluateRelocate(u, v, count: 1)
        case .relocate2: evaluateRelocate(u, v, count: 2)
        case .swap11: evaluateSwap(u, v, uCount: 1, vCount: 1)
        case .swap21: evaluateSwap(u, v, uCount: 2, vCount: 1)
        case .swap22: evaluateSwap(u, v, uCount: 2, vCount: 2)
        case .swapTails: evaluateSwapTails(u, v)
        }
    }

    /// Carries out `move` (already priced as improving).
    mutating func apply(_ move: Move, _ u: Int, _ v: Int) {
        switch move {
        case .relocate1: applyRelocate(u, v, count: 1)
        case .relocate2: applyRelocate(u, v, count: 2)
        case .swap11: applySwap(u, v, uCount: 1, vCount: 1)
        case .swap21: applySwap(u, v, uCount: 2, vCount: 1)
        case .swap22: applySwap(u, v, uCount: 2, vCount: 2)
        case .swapTails: applySwapTails(u, v)
        }
    }

    // MARK: Relocate: stops u… (count of them) go after v

    func evaluateRelocate(_ u: Int, _ v: Int, count: Int) -> Int? {
        let (ru, pu) = place(of: u)
        let (rv, pv) = place(of: v)
        guard ru >= 0, rv >= 0, pu + count - 1 <= length[ru] else { return nil }
        let last = pu + count - 1
        if ru == rv, pv >= pu - 1, pv <= last { return nil }
        if !canServe(ru, from: pu, through: last, by: rv) { return nil }

        let a = node(ru, pu - 1)
        let b = node(ru, last + 1)
        let first = u
        let end = node(ru, last)
        let c = node(rv, pv)
        let d = node(rv, pv + 1)
        // Arcs only: the moved run keeps its direction. Emptied or newly used routes have a free start→end arc.
        let removed = problem.distance(a, first) + problem.distance(end, b) + problem.distance(c, d)
        let added = problem.distance(a, b) + problem.distance(c, first) + problem.distance(end, d)
        let oldPenalty = ru == rv ? penalty(of: ru) : penalty(of: ru) + penalty(of: rv)
        if added - removed >= oldPenalty { return nil }

        if ru != rv {
            var left = prefix(ru, through: pu - 1)
            appendTail(ru, from: last + 1, to: &left)
            var right = prefix(rv, through: pv)
            append(ru, from: pu, through: last, to: &right)
            appendTail(rv, from: pv + 1, to: &right)
            return close(left, as: ru) + close(right, as: rv) - cost(of: ru) - cost(of: rv)
        }
        var chain: Chain
        if pu < pv {
            chain = prefix(ru, through: pu - 1)
            append(ru, from: last + 1, through: pv, to: &chain)
            append(ru, from: pu, through: last, to: &chain)
            appendTail(ru, from: pv + 1, to: &chain)
        } else {
            chain = prefix(ru, through: pv)
            append(ru, from: pu, through: last, to: &chain)
            append(ru, from: pv + 1, through: pu - 1, to: &chain)
            appendTail(ru, from: last + 1, to: &chain)
        }
        return close(chain, as: ru) - cost(of: ru)
    }

    mutating func applyRelocate(_ u: Int, _ v: Int, count: Int) {
        let (ru, pu) = place(of: u)
        let (rv, pv) = place(of: v)
        stops(of: ru, into: &scratch)
        let moved = Array(scratch[(pu - 1)..<(pu - 1 + count)])
        if ru == rv {
            scratch.removeSubrange((pu - 1)..<(pu - 1 + count))
            let target = pv < pu ? pv : pv - count
            scratch.insert(contentsOf: moved, at: target)
            setStops(of: ru, to: scratch)
            return
        }
        scratch.removeSubrange((pu - 1)..<(pu - 1 + count))
        stops(of: rv, into: &scratchOther)
        scratchOther.insert(contentsOf: moved, at: pv)
        setStops(of: ru, to: scratch)
        setStops(of: rv, to: scratchOther)
    }

    // MARK: Swap: stops u… (uCount) trade places with v… (vCount)

    func evaluateSwap(_ u: Int, _ v: Int, uCount: Int, vCount: Int) -> Int? {
        guard v < problem.clientCount else { return nil }
        if uCount == vCount, u >= v { return nil }  // Symmetric: priced once.
        let (ru, pu) = place(of: u)
        let (rv, pv) = place(of: v)
        guard ru >= 0, rv >= 0, pu + uCount - 1 <= length[ru], pv + vCount - 1 <= length[rv] else { return nil }
        let uLast = pu + uCount - 1
        let vLast = pv + vCount - 1
        if ru == rv, pu <= vLast + 1, pv <= uLast + 1 { return nil }  // Overlapping or adjacent.
        if ru != rv, problem.usesSkills {
            guard canServe(ru, from: pu, through: uLast, by: rv), canServe(rv, from: pv, through: vLast, by: ru) else {
                return nil
            }
        }

        let a = node(ru, pu - 1)
        let b = node(ru, uLast + 1)
        let c = node(rv, pv - 1)
        let d = node(rv, vLast + 1)
        let uEnd = node(ru, uLast)
        let vEnd = node(rv, vLast)
        let removed = problem.distance(a, u) + problem.distance(uEnd, b) + problem.distance(c, v)
            + problem.distance(vEnd, d)
        let added = problem.distance(a, v) + problem.distance(vEnd, b) + problem.distance(c, u)
            + problem.distance(uEnd, d)
        let oldPenalty = ru == rv ? penalty(of: ru) : penalty(of: ru) + penalty(of: rv)
        if added - removed >= oldPenalty { return nil }

        if ru != rv {
            var left = prefix(ru, through: pu - 1)
            append(rv, from: pv, through: vLast, to: &left)
            appendTail(ru, from: uLast + 1, to: &left)
            var right = prefix(rv, through: pv - 1)
            append(ru, from: pu, through: uLast, to: &right)
            appendTail(rv, from: vLast + 1, to: &right)
            return close(left, as: ru) + close(right, as: rv) - cost(of: ru) - cost(of: rv)
        }
        var chain: Chain
        if pu < pv {
            chain = prefix(ru, through: pu - 1)
            append(ru, from: pv, through: vLast, to: &chain)
            append(ru, from: uLast + 1, through: pv - 1, to: &chain)
            append(ru, from: pu, through: uLast, to: &chain)
            appendTail(ru, from: vLast + 1, to: &chain)
        } else {
            chain = prefix(ru, through: pv - 1)
            append(ru, from: pu, through: uLast, to: &chain)
            append(ru, from: vLast + 1, through: pu - 1, to: &chain)
            append(ru, from: pv, through: vLast, to: &chain)
            appendTail(ru, from: uLast + 1, to: &chain)
        }
        return close(chain, as: ru) - cost(of: ru)
    }

    mutating func applySwap(_ u: Int, _ v: Int, uCount: Int, vCount: Int) {
        let (ru, pu) = place(of: u)
        let (rv, pv) = place(of: v)
        stops(of: ru, into: &scratch)
        if ru == rv {
            let uRun = Array(scratch[(pu - 1)..<(pu - 1 + uCount)])
            let vRun = Array(scratch[(pv - 1)..<(pv - 1 + vCount)])
            // Replace the later run first so the earlier run's indices stay valid.
            if pu < pv {
                scratch.replaceSubrange((pv - 1)..<(pv - 1 + vCount), with: uRun)
                scratch.replaceSubrange((pu - 1)..<(pu - 1 + uCount), with: vRun)
            } else {
                scratch.replaceSubrange((pu - 1)..<(pu - 1 + uCount), with: vRun)
                scratch.replaceSubrange((pv - 1)..<(pv - 1 + vCount), with: uRun)
            }
            setStops(of: ru, to: scratch)
            return
        }
        stops(of: rv, into: &scratchOther)
        let uRun = Array(scratch[(pu - 1)..<(pu - 1 + uCount)])
        let vRun = Array(scratchOther[(pv - 1)..<(pv - 1 + vCount)])
        scratch.replaceSubrange((pu - 1)..<(pu - 1 + uCount), with: vRun)
        scratchOther.replaceSubrange((pv - 1)..<(pv - 1 + vCount), with: uRun)
        setStops(of: ru, to: scratch)
        setStops(of: rv, to: scratchOther)
    }

    // MARK: Swap tails (2-opt*): what follows u and what follows v change routes

    func evaluateSwapTails(_ u: Int, _ v: Int) -> Int? {
        let (ru, pu) = place(of: u)
        let (rv, pv) = place(of: v)
        guard ru >= 0, rv >= 0, ru != rv else { return nil }
        let uCount = length[ru]
        let vCount = length[rv]
        if pu == uCount, pv == vCount { return nil }  // Both tails empty: nothing moves.
        if problem.usesSkills {
            guard canServe(ru, from: pu + 1, through: uCount, by: rv), canServe(rv, from: pv + 1, through: vCount, by: ru)
            else { return nil }
        }
        // Distance first: each new route is a cached prefix, one new arc and a cached tail closed at its own end.
        func newDistance(prefixRoute: Int, prefixPosition: Int, tailRoute: Int, tailPosition: Int, tailCount: Int)
            -> Int
        {
            let base = prefixRoute * stride
            let head = node(prefixRoute, prefixPosition)
            let end = problem.endNode(of: prefixRoute)
            guard tailPosition <= tailCount else {
                return prefixPosition == 0 ? 0 : cumulativeDistance[base + prefixPosition] + problem.distance(head, end)
            }
            let tailBase = tailRoute * stride
            return cumulativeDistance[base + prefixPosition] + problem.distance(head, node(tailRoute, tailPosition))
                + cumulativeDistance[tailBase + tailCount] - cumulativeDistance[tailBase + tailPosition]
                + problem.distance(node(tailRoute, tailCount), end)
        }
        let left = newDistance(prefixRoute: ru, prefixPosition: pu, tailRoute: rv, tailPosition: pv + 1, tailCount: vCount)
        let right = newDistance(prefixRoute: rv, prefixPosition: pv, tailRoute: ru, tailPosition: pu + 1, tailCount: uCount)
        if left + right - routeDistance[ru] - routeDistance[rv] >= penalty(of: ru) + penalty(of: rv) { return nil }

        var uChain = prefix(ru, through: pu)
        appendTail(rv, from: pv + 1, to: &uChain)
        var vChain = prefix(rv, through: pv)
        appendTail(ru, from: pu + 1, to: &vChain)
        return close(uChain, as: ru) + close(vChain, as: rv) - cost(of: ru) - cost(of: rv)
    }

    mutating func applySwapTails(_ u: Int, _ v: Int) {
        let (ru, pu) = place(of: u)
        let (rv, pv) = place(of: v)
        stops(of: ru, into: &scratch)
        stops(of: rv, into: &scratchOther)
        let uTail = Array(scratch[pu...])
        let vTail = Array(scratchOther[pv...])
        scratch.removeSubrange(pu...)
        scratch.append(contentsOf: vTail)
        scratchOther.removeSubrange(pv...)
        scratchOther.append(contentsOf: uTail)
        setStops(of: ru, to: scratch)
        setStops(of: rv, to: scratchOther)
    }

    // MARK: Inserting and removing single stops

    /// Cost of inserting `client` after position `position` of `route` (the route's cost change).
    func insertionCost(_ client: Int, into route: Int, after position: Int) -> Int? {
        guard canServe(client, by: route) else { return nil }
        var chain = prefix(route, through: position)
        append(client, to: &chain)
        appendTail(route, from: position + 1, to: &chain)
        return close(chain, as: route) - cost(of: route)
    }

    /// Cost change of taking `client` out of its route.
    func removalCost(_ client: Int) -> Int {
        let (route, position) = place(of: client)
        var chain = prefix(route, through: position - 1)
        appendTail(route, from: position + 1, to: &chain)
        return close(chain, as: route) - cost(of: route)
    }

    /// Inserts `client` where it costs least: after one of its planned neighbours, or alone in the first empty route
    /// its skills allow. A required stop is always inserted (in the cheapest place found, or the first route that can
    /// take it); an optional one only when its prize outweighs the cost.
    @discardableResult
    mutating func insertBest(_ client: Int, required: Bool) -> Bool {
        var bestCost = Int.max
        var bestRoute = -1
        var bestPosition = 0
        for index in problem.neighbourStart[client]..<problem.neighbourStart[client + 1] {
            let v = Int(problem.neighbours[index])
            let route = Int(nodeRoute[v])
            guard route >= 0 else { continue }
            let position = Int(nodePosition[v])
            if let cost = insertionCost(client, into: route, after: position), cost < bestCost {
                bestCost = cost
                bestRoute = route
                bestPosition = position
            }
        }
        for route in 0..<problem.routeCount where length[route] == 0 && canServe(client, by: route) {
            if let cost = insertionCost(client, into: route, after: 0), cost < bestCost {
                bestCost = cost
                bestRoute = route
                bestPosition = 0
            }
            break
        }
        if bestRoute < 0 {
            // No neighbour is planned and no empty route fits: the cheapest start of any route that can serve it.
            for route in 0..<problem.routeCount {
                if let cost = insertionCost(client, into: route, after: 0), cost < bestCost {
                    bestCost = cost
                    bestRoute = route
                }
            }
            bestPosition = 0
        }
        guard bestRoute >= 0, required || bestCost - problem.prize[client] < 0 else { return false }
        insert(client, into: bestRoute, after: bestPosition)
        return true
    }
}
