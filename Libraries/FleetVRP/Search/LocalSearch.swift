import FleetCore

/// Granular local search over a plan held in flat arrays (PyVRP's design, Vidal et al. 2013's evaluation).
///
/// Each route keeps, per position, the distance and load up to it and the ``DurationSegment`` of everything before and
/// after it, so a move (relocating or swapping one or two stops, exchanging route tails) is priced in O(1) from a few
/// cached pieces. Only stops marked promising (touched by the perturbation or by an applied move) start moves, and a
/// pair is re-tried only when one of its routes changed since it was last tried.
struct LocalSearch {
    let problem: SearchProblem
    private(set) var costModel = CostModel(loadPenalty: 1, timeWarpPenalty: 1)
    var random: SplitMix64

    /// Positions per route: the start, at most every stop, the end.
    let stride: Int
    /// `visits[r * stride + i]`: node at position `i` of route `r` (0 = start, `length[r] + 1` = end).
    var visits: [Int32]
    var length: [Int]
    /// Start through position `i`.
    var forward: [DurationSegment]
    /// Stops from position `i` through the last stop (end excluded, so a tail can move to another vehicle's end).
    var backward: [DurationSegment]
    /// Distance from the start to position `i`.
    var cumulativeDistance: [Int]
    /// Load of the stops up to position `i`.
    var cumulativeLoad: [Int]
    var routeDistance: [Int]
    var routeExcessLoad: [Int]
    var routeTimeWarp: [Int]
    /// Penalty of each route at ``costModel`` (kept with the route; ``setCostModel(_:)`` refreshes all).
    var routePenalty: [Int]
    /// Route and position of each stop (-1 when unplanned).
    var nodeRoute: [Int32]
    var nodePosition: [Int32]

    // Search bookkeeping.
    var promising: [Bool]
    var lastTested: [Int]
    var lastUpdated: [Int]
    var updates = 0
    var order: [Int32]
    var operators: [Move] = Move.allCases
    /// Perturbations per iteration are drawn from this range.
    var perturbationRange = 1...25
    var scratch: [Int32] = []
    var scratchOther: [Int32] = []

    /// The moves tried between two stops (or a stop and a route start).
    enum Move: CaseIterable {
        case relocate1, relocate2, swap11, swap21, swap22, swapTails
    }

    init(problem: SearchProblem, seed: UInt64) {
        self.problem = problem
        random = SplitMix64(seed: seed)
        let routes = problem.routeCount
        let clients = problem.clientCount
        stride = clients + 2
        let cells = routes * stride
        let empty = DurationSegment(serviceDuration: 0, earliest: 0, latest: 0)
        visits = [Int32](repeating: -1, count: cells)
        length = [Int](repeating: 0, count: routes)
        forward = [DurationSegment](repeating: empty, count: cells)
        backward = [DurationSegment](repeating: empty, count: cells)
        cumulativeDistance = [Int](repeating: 0, count: cells)
        cumulativeLoad = [Int](repeating: 0, count: cells)
        routeDistance = [Int](repeating: 0, count: routes)
        routeExcessLoad = [Int](repeating: 0, count: routes)
        routeTimeWarp = [Int](repeating: 0, count: routes)
        routePenalty = [Int](repeating: 0, count: routes)
        nodeRoute = [Int32](repeating: -1, count: clients)
        nodePosition = [Int32](repeating: -1, count: clients)
        promising = [Bool](repeating: false, count: clients)
        lastTested = [Int](repeating: -1, count: clients)
        lastUpdated = [Int](repeating: 0, count: routes)
        order = (0..<Int32(clients)).map { $0 }
    }

    // MARK: Plan in and out

    /// Replaces the held plan with `routes` (one per vehicle).
    mutating func load(_ routes: [[Int]]) {
        for client in 0..<problem.clientCount {
            nodeRoute[client] = -1
            nodePosition[client] = -1
        }
        for route in 0..<problem.routeCount {
            let stops = route < routes.count ? routes[route] : []
            let base = route * stride
            visits[base] = Int32(problem.startNode(of: route))
            for (offset, client) in stops.enumerated() { visits[base + offset + 1] = Int32(client) }
            visits[base + stops.count + 1] = Int32(problem.endNode(of: route))
            length[route] = stops.count
            update(route: route)
        }
    }

    /// The held plan, one stop list per vehicle.
    func unload() -> [[Int]] {
        (0..<problem.routeCount).map { route in
            (0..<length[route]).map { Int(visits[route * stride + $0 + 1]) }
        }
    }

    /// Distance, excess load, time warp and left-out prizes of the held plan.
    var measures: PlanMeasures {
        var measures = PlanMeasures()
        for route in 0..<problem.routeCount {
            measures.distance += routeDistance[route]
            measures.excessLoad += routeExcessLoad[route]
            measures.timeWarp += routeTimeWarp[route]
        }
        for client in 0..<problem.clientCount where nodeRoute[client] < 0 && !problem.isRequired[client] {
            measures.uncollectedPrizes += problem.prize[client]
        }
        return measures
    }

    // MARK: Route caches

    @inline(__always) func node(_ route: Int, _ position: Int) -> Int { Int(visits[route &* stride &+ position]) }

    /// Rebuilds route `route`'s caches after its visits changed.
    mutating func update(route: Int) {
        let base = route * stride
        let count = length[route]
        var segment = problem.segment(of: node(route, 0))
        var distance = 0
        var load = 0
        forward[base] = segment
        cumulativeDistance[base] = 0
        cumulativeLoad[base] = 0
        for position in 1...(count + 1) {
            let previous = node(route, position - 1)
            let current = node(route, position)
            distance += problem.distance(previous, current)
            segment = segment.followed(by: problem.segment(of: current), travel: problem.duration(previous, current))
            load += problem.nodeDemand[current]
            forward[base + position] = segment
            cumulativeDistance[base + position] = distance
            cumulativeLoad[base + position] = load
            if position <= count {
                nodeRoute[current] = Int32(route)
                nodePosition[current] = Int32(position)
            }
        }
        if count > 0 {
            var tail = problem.segment(of: node(route, count))
            backward[base + count] = tail
            var position = count - 1
            while position >= 1 {
                let current = node(route, position)
                tail = problem.segment(of: current).followed(
                    by: tail, travel: problem.duration(current, node(route, position + 1)))
                backward[base + position] = tail
                position -= 1
            }
        }
        if count == 0 {
            routeDistance[route] = 0
            routeExcessLoad[route] = 0
            routeTimeWarp[route] = 0
        } else {
            routeDistance[route] = distance
            routeExcessLoad[route] = max(load - problem.routeCapacity[route], 0)
            routeTimeWarp[route] = segment.timeWarp(maximumDuration: problem.routeMaximumDuration[route])
        }
        routePenalty[route] = costModel.penalty(excessLoad: routeExcessLoad[route], timeWarp: routeTimeWarp[route])
        updates += 1
        lastUpdated[route] = updates
    }

    @inline(__always)
    func penalty(of route: Int) -> Int { routePenalty[route] }

    /// Prices violations at `model` from now on.
    mutating func setCostModel(_ model: CostModel) {
        costModel = model
        for route in 0..<problem.routeCount {
            routePenalty[route] = model.penalty(excessLoad: routeExcessLoad[route], timeWarp: routeTimeWarp[route])
        }
    }

    @inline(__always)
    func cost(of route: Int) -> Int { routeDistance[route] + penalty(of: route) }

    // MARK: Pricing a proposed route

    /// A route under construction from cached pieces: distance, load, time segment and last node so far.
    struct Chain {
        var distance: Int
        var load: Int
        var segment: DurationSegment
        var last: Int
        var hasStops: Bool
    }

    /// The start of `route` through position `position`.
    @inline(__always)
    func prefix(_ route: Int, through position: Int) -> Chain {
        let index = route &* stride &+ position
        return Chain(
            distance: cumulativeDistance[index], load: cumulativeLoad[index], segment: forward[index],
            last: node(route, position), hasStops: position > 0)
    }

    /// Appends one node.
    @inline(__always)
    func append(_ node: Int, to chain: inout Chain) {
        chain.distance &+= problem.distance(chain.last, node)
        chain.segment = chain.segment.followed(by: problem.segment(of: node), travel: problem.duration(chain.last, node))
        chain.load &+= problem.nodeDemand[node]
        chain.last = node
        chain.hasStops = true
    }

    /// Appends stops `first...last` of `route` one by one (short runs and runs inside the route being changed).
    @inline(__always)
    func append(_ route: Int, from first: Int, through last: Int, to chain: inout Chain) {
        var position = first
        while position <= last {
            append(node(route, position), to: &chain)
            position &+= 1
        }
    }

    /// Appends the stops of `route` from `first` to its last stop, in O(1).
    @inline(__always)
    func appendTail(_ route: Int, from first: Int, to chain: inout Chain) {
        let count = length[route]
        guard first <= count else { return }
        let base = route &* stride
        let head = node(route, first)
        chain.distance &+= problem.distance(chain.last, head) &+ cumulativeDistance[base &+ count]
            &- cumulativeDistance[base &+ first]
        chain.segment = chain.segment.followed(by: backward[base &+ first], travel: problem.duration(chain.last, head))
        chain.load &+= cumulativeLoad[base &+ count] &- cumulativeLoad[base &+ first &- 1]
        chain.last = node(route, count)
        chain.hasStops = true
    }

    /// Cost of `chain` closed at `route`'s end, as driven by `route`'s vehicle.
    @inline(__always)
    func close(_ chain: Chain, as route: Int) -> Int {
        guard chain.hasStops else { return 0 }
        var closed = chain
        append(problem.endNode(of: route), to: &closed)
        let excess = max(closed.load - problem.routeCapacity[route], 0)
        let warp = closed.segment.timeWarp(maximumDuration: problem.routeMaximumDuration[route])
        return closed.distance &+ costModel.penalty(excessLoad: excess, timeWarp: warp)
    }

    // MARK: Editing routes

    /// Writes `nodes` as the stops of `route` and rebuilds its caches.
    mutating func setStops(of route: Int, to nodes: [Int32]) {
        let base = route * stride
        for (offset, node) in nodes.enumerated() { visits[base + offset + 1] = node }
        visits[base + nodes.count + 1] = Int32(problem.endNode(of: route))
        length[route] = nodes.count
        update(route: route)
    }

    /// Stops of `route`, into `buffer`.
    func stops(of route: Int, into buffer: inout [Int32]) {
        buffer.removeAll(keepingCapacity: true)
        let base = route * stride
        for position in 1...max(length[route], 1) where position <= length[route] { buffer.append(visits[base + position]) }
    }

    /// Inserts stop `client` after position `position` of `route`.
    mutating func insert(_ client: Int, into route: Int, after position: Int) {
        stops(of: route, into: &scratch)
        scratch.insert(Int32(client), at: position)
        setStops(of: route, to: scratch)
    }

    /// Takes stop `client` out of its route.
    mutating func remove(_ client: Int) {
        let route = Int(nodeRoute[client])
        let position = Int(nodePosition[client])
        stops(of: route, into: &scratch)
        scratch.remove(at: position - 1)
        nodeRoute[client] = -1
        nodePosition[client] = -1
        setStops(of: route, to: scratch)
    }

    /// Whether `route`'s vehicle has every skill stop `client` needs.
    @inline(__always)
    func canServe(_ client: Int, by route: Int) -> Bool {
        problem.nodeSkills[client] & ~problem.routeSkills[route] == 0
    }

    /// Whether `route`'s vehicle can serve stops `first...last` of `source`.
    func canServe(_ source: Int, from first: Int, through last: Int, by route: Int) -> Bool {
        guard problem.usesSkills, source != route, first <= last else { return true }
        var needed: UInt64 = 0
        for position in first...last { needed |= problem.nodeSkills[node(source, position)] }
        return needed & ~problem.routeSkills[route] == 0
    }
}

/// What a plan costs, measure by measure.
struct PlanMeasures: Hashable, Sendable {
    var distance = 0
    var excessLoad = 0
    var timeWarp = 0
    var uncollectedPrizes = 0

    var isFeasible: Bool { excessLoad == 0 && timeWarp == 0 }

    /// The objective of a feasible plan.
    var objective: Int { distance + uncollectedPrizes }

    func penalisedCost(_ model: CostModel) -> Int {
        objective + model.penalty(excessLoad: excessLoad, timeWarp: timeWarp)
    }
}
