extension RoadGraph {
    /// The polyline of `edge` between the fractions `from` and `to` of its length (0…1, `from ≤ to`), both ends
    /// interpolated; at least two points.
    public func polyline(of edge: Int, from: Double, to: Double) -> [GeoCoordinate] {
        let length = self.length(of: edge)
        let start = min(1, max(0, from)) * length
        let end = max(start, min(1, max(0, to)) * length)
        let points = geometry(of: edge)
        var line = [position(onEdge: edge, atOffset: start)]
        var travelled = 0.0
        var index = points.startIndex
        while index + 1 < points.endIndex {
            travelled += points[index].distance(to: points[index + 1])
            if travelled > start && travelled < end { line.append(points[index + 1]) }
            index += 1
        }
        line.append(position(onEdge: edge, atOffset: end))
        return line
    }
}
