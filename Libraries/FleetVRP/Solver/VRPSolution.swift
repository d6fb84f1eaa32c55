/// A plan: for each vehicle, the stops it serves in order (indices into ``VRPProblem/clients``); empty when unused.
public struct VRPSolution: Hashable, Sendable {
    /// `routes[v]` is vehicle `v`'s ordered stops.
    public var routes: [[Int]]

    /// Creates a plan.
    public init(routes: [[Int]]) {
        self.routes = routes
    }

    /// Stops not in any route.
    public func unplannedClients(of problem: VRPProblem) -> [Int] {
        var planned = [Bool](repeating: false, count: problem.clients.count)
        for route in routes { for client in route where client >= 0 && client < planned.count { planned[client] = true } }
        return planned.indices.filter { !planned[$0] }
    }
}
