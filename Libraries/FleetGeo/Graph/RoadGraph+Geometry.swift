extension RoadGraph {
    /// The point `offset` metres along `edge` from its source (clamped to the edge), for moving vehicles along it.
    public func position(onEdge edge: Int, atOffset offset: Double) -> GeoCoordinate {
        let points = geometry(of: edge)
        var remaining = max(0, offset)
        var index = points.startIndex
        while index + 1 < points.endIndex {
            let segment = points[index].distance(to: points[index + 1])
            if remaining <= segment {
                return segment > 0
                    ? points[index].interpolated(to: points[index + 1], fraction: remaining / segment) : points[index]
            }
            remaining -= segment
            index += 1
        }
        return points[points.endIndex - 1]
    }

    /// The driving line of `route`: its edges' polylines joined (shared endpoints once).
    public func polyline(of route: Route) -> [GeoCoordinate] {
        guard let first = route.nodes.first else { return [] }
        var line = [coordinate(of: first)]
        for edge in route.edges {
            line.append(contentsOf: geometry(of: edge).dropFirst())
        }
        return line
    }
}
