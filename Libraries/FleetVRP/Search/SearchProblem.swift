/// A ``VRPProblem`` laid out for the search: one node per stop and two per vehicle (its start and end), every
/// attribute in a flat array indexed by node, and the granular neighbour lists.
///
/// Nodes `0..<clientCount` are stops; `clientCount + r` is route `r`'s start and `clientCount + routeCount + r` its
/// end. An open-ended vehicle ends at an extra location every location reaches for free.
struct SearchProblem: Sendable {
    let clientCount: Int
    let routeCount: Int
    let locationCount: Int
    let distances: [Int]
    let durations: [Int]
    let nodeLocation: [Int]
    let nodeService: [Int]
    let nodeEarliest: [Int]
    let nodeLatest: [Int]
    let nodeDemand: [Int]
    let nodeSkills: [UInt64]
    let routeCapacity: [Int]
    let routeMaximumDuration: [Int]
    let routeSkills: [UInt64]
    let isRequired: [Bool]
    let prize: [Int]
    /// Node-to-node distances and durations (`nodeCount × nodeCount`), a route's start to its own end free: one load
    /// per arc in the hot loop instead of two location lookups and a branch.
    let nodeCount: Int
    let nodeDistances: [Int]
    let nodeDurations: [Int]
    /// Whether any stop needs a skill (skips the checks otherwise).
    let usesSkills: Bool
    /// `neighbourStart[u]..<neighbourStart[u+1]` indexes `neighbours`.
    let neighbourStart: [Int]
    let neighbours: [Int32]

    init(_ problem: VRPProblem, neighbourCount: Int = 50, waitWeight: Double = 0.2) {
        let clients = problem.clients.count
        let routes = problem.vehicles.count
        let openEnded = problem.vehicles.contains { $0.endLocation == nil }
        let size = problem.locationCount + (openEnded ? 1 : 0)
        var distances = [Int](repeating: 0, count: size * size)
        var durations = [Int](repeating: 0, count: size * size)
        for from in 0..<problem.locationCount {
            for to in 0..<problem.locationCount {
                distances[from * size + to] = problem.distance(from: from, to: to)
                durations[from * size + to] = problem.duration(from: from, to: to)
            }
        }
        clientCount = clients
        routeCount = routes
        locationCount = size
        self.distances = distances
        self.durations = durations

        let nodes = clients + 2 * routes
        var location = [Int](repeating: 0, count: nodes)
        var service = [Int](repeating: 0, count: nodes)
        var earliest = [Int](repeating: 0, count: nodes)
        var latest = [Int](repeating: 0, count: nodes)
        var demand = [Int](repeating: 0, count: nodes)
        var skills = [UInt64](repeating: 0, count: nodes)
        for (index, client) in problem.clients.enumerated() {
            location[index] = client.location
            service[index] = client.serviceDuration
            earliest[index] = client.earliest
            latest[index] = client.latest
            demand[index] = client.demand
            skills[index] = client.requiredSkills
        }
        for (route, vehicle) in problem.vehicles.enumerated() {
            for node in [clients + route, clients + routes + route] {
                earliest[node] = vehicle.shiftStart
                latest[node] = vehicle.shiftEnd
            }
            location[clients + route] = vehicle.startLocation
            location[clients + routes + route] = vehicle.endLocation ?? problem.locationCount
        }
        nodeLocation = location
        nodeCount = nodes
        var nodeDistances = [Int](repeating: 0, count: nodes * nodes)
        var nodeDurations = [Int](repeating: 0, count: nodes * nodes)
        for from in 0..<nodes {
            for to in 0..<nodes {
                let freeArc = from >= clients && from < clients + routes && to == from + routes
                guard !freeArc else { continue }
                nodeDistances[from * nodes + to] = distances[location[from] * size + location[to]]
                nodeDurations[from * nodes + to] = durations[location[from] * size + location[to]]
            }
        }
        self.nodeDistances = nodeDistances
        self.nodeDurations = nodeDurations
        nodeService = service
        nodeEarliest = earliest
        nodeLatest = latest
        nodeDemand = demand
        nodeSkills = skills
        routeCapacity = problem.vehicles.map(\.capacity)
        routeMaximumDuration = problem.vehicles.map { $0.maximumDuration ?? VRPProblem.unbounded }
        routeSkills = problem.vehicles.map(\.skills)
        isRequired = problem.clients.map(\.isRequired)
        prize = problem.clients.map(\.prize)
        usesSkills = problem.clients.contains { $0.requiredSkills != 0 }

        // Granular neighbourhoods (Vidal et al. 2013, PyVRP's weights): the closest stops by arc cost plus a share of
        // the least waiting the arc forces, infinite where the arc can never be on time; symmetrised.
        func arcCost(_ from: Int, _ to: Int) -> Double {
            let travel = durations[location[from] * size + location[to]]
            if earliest[from] + service[from] + travel > latest[to] { return .infinity }
            let minimumWait = Double(earliest[to] - travel - service[from] - latest[from])
            let wait = max(minimumWait, 0)
            return Double(distances[location[from] * size + location[to]]) + waitWeight * wait
        }
        var start = [0]
        var list: [Int32] = []
        let keep = min(neighbourCount, max(clients - 1, 0))
        var scored: [(Double, Int)] = []
        scored.reserveCapacity(clients)
        for u in 0..<clients {
            scored.removeAll(keepingCapacity: true)
            for v in 0..<clients where v != u {
                scored.append((min(arcCost(u, v), arcCost(v, u)), v))
            }
            scored.sort { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
            for (_, v) in scored.prefix(keep) { list.append(Int32(v)) }
            start.append(list.count)
        }
        neighbourStart = start
        neighbours = list
    }

    @inline(__always) func startNode(of route: Int) -> Int { clientCount + route }
    @inline(__always) func endNode(of route: Int) -> Int { clientCount + routeCount + route }

    /// Distance between nodes; a route's start to its own end is free (an unused vehicle drives nowhere).
    @inline(__always)
    func distance(_ from: Int, _ to: Int) -> Int {
        nodeDistances[from &* nodeCount &+ to]
    }

    @inline(__always)
    func duration(_ from: Int, _ to: Int) -> Int {
        nodeDurations[from &* nodeCount &+ to]
    }

    @inline(__always)
    func segment(of node: Int) -> DurationSegment {
        DurationSegment(serviceDuration: nodeService[node], earliest: nodeEarliest[node], latest: nodeLatest[node])
    }
}
