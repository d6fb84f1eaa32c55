/// Shortest-path algorithm used by ``RoutePlanner``; both return optimal routes.
public enum SearchAlgorithm: Hashable, Sendable, CaseIterable {
    /// Dijkstra with a binary heap (the default).
    case dijkstra
    /// A* with a great-circle heuristic (distance, or distance ÷ the graph's top speed for travel time).
    ///
    /// On Monaco it settles about 25 % fewer nodes than Dijkstra for travel time, but the haversine per relaxed
    /// edge makes it about 25 % slower overall; it pays off for ``RouteMetric/length`` and on larger graphs.
    case aStar
}
