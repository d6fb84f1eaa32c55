extension EdgeSpatialIndex {
    /// The waypoint nearest `coordinate` on an edge whose both ends lie in the largest strongly connected
    /// component of `components`, so every waypoint made this way can reach every other (`nil` for an empty graph).
    ///
    /// Snapping to the plain nearest edge could land on an isolated fragment (a car park exit, a private loop);
    /// this skips such edges even when they are closer.
    public func waypoint(near coordinate: GeoCoordinate, in components: StronglyConnectedComponents) -> Waypoint? {
        let graph = self.graph
        let snap = nearest(to: coordinate) {
            components.isInLargestComponent(graph.source(of: $0)) && components.isInLargestComponent(graph.target(of: $0))
        }
        return snap.map { Waypoint(snap: $0, in: graph) }
    }
}
