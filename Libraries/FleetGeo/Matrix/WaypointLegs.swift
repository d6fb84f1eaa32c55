/// The (at most two) directed edges a ``Waypoint`` lies on under a metric, with the costs to leave and reach it.
///
/// Leg `k` is on `edges[k]` at `fractions[k]`: a trip starting at the point reaches `target(edge)` for
/// `departures[k]` (the rest of the edge); a trip ending there reaches it from `source(edge)` for `arrivals[k]`.
/// Legs on closed edges are left out.
struct WaypointLegs {
    var count = 0
    var edges: (Int32, Int32) = (-1, -1)
    var fractions: (Double, Double) = (0, 0)
    var arrivals: (UInt64, UInt64) = (TravelCost.infinity, TravelCost.infinity)
    var departures: (UInt64, UInt64) = (TravelCost.infinity, TravelCost.infinity)

    init(_ waypoint: Waypoint, graph: RoadGraph, edgeCosts: [UInt64]) {
        add(waypoint.edge, waypoint.fraction, edgeCosts)
        if let reverse = graph.reverseEdge(of: waypoint.edge) { add(reverse, 1 - waypoint.fraction, edgeCosts) }
    }

    private mutating func add(_ edge: Int, _ fraction: Double, _ edgeCosts: [UInt64]) {
        let cost = edgeCosts[edge]
        guard cost < TravelCost.infinity else { return }
        let arrival = TravelCost.part(of: cost, fraction: fraction)
        if count == 0 {
            edges.0 = Int32(edge)
            fractions.0 = fraction
            arrivals.0 = arrival
            departures.0 = cost - arrival
        } else {
            edges.1 = Int32(edge)
            fractions.1 = fraction
            arrivals.1 = arrival
            departures.1 = cost - arrival
        }
        count += 1
    }

    func edge(_ leg: Int) -> Int { Int(leg == 0 ? edges.0 : edges.1) }
    func fraction(_ leg: Int) -> Double { leg == 0 ? fractions.0 : fractions.1 }
    func arrival(_ leg: Int) -> UInt64 { leg == 0 ? arrivals.0 : arrivals.1 }
    func departure(_ leg: Int) -> UInt64 { leg == 0 ? departures.0 : departures.1 }

    /// The cheapest drive from `self` to `target` without leaving the edge they share (``TravelCost/infinity``
    /// if they share none or the target is behind).
    func direct(to target: WaypointLegs) -> (cost: UInt64, sourceLeg: Int, targetLeg: Int) {
        var best: (cost: UInt64, sourceLeg: Int, targetLeg: Int) = (TravelCost.infinity, -1, -1)
        for leg in 0..<count {
            for other in 0..<target.count where target.edge(other) == edge(leg) {
                guard target.fraction(other) >= fraction(leg) else { continue }
                let cost = target.arrival(other) - arrival(leg)
                if cost < best.cost { best = (cost, leg, other) }
            }
        }
        return best
    }
}
