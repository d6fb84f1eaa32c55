/// Directed edges collected before sorting into compressed sparse row order.
struct EdgeDraft {
    var sources: [Int32] = []
    var targets: [Int32] = []
    var lengths: [Double] = []
    var speeds: [Double] = []
    var ways: [Int64] = []
    /// Index into the graph's road-name table, -1 for none.
    var names: [Int32] = []
    var reverses: [Int32] = []
    var pointStart: [Int32] = [0]
    var points: [GeoCoordinate] = []

    /// Adds the section `points` (from `from` to `to`) in the directions `traversal` allows.
    mutating func add(
        from: Int32, to: Int32, points section: [GeoCoordinate], way: Int64, name: Int32, traversal: WayTraversal
    ) {
        var length = 0.0
        for index in 1..<section.count { length += section[index - 1].distance(to: section[index]) }
        var forwardEdge: Int32 = -1
        if traversal.forward {
            forwardEdge = append(from, to, section, length, traversal.forwardSpeedKilometresPerHour / 3.6, way, name)
        }
        if traversal.backward {
            let backwardEdge = append(
                to, from, section.reversed(), length, traversal.backwardSpeedKilometresPerHour / 3.6, way, name)
            if forwardEdge >= 0 {
                reverses[Int(forwardEdge)] = backwardEdge
                reverses[Int(backwardEdge)] = forwardEdge
            }
        }
    }

    private mutating func append(
        _ from: Int32, _ to: Int32, _ section: [GeoCoordinate], _ length: Double, _ speed: Double, _ way: Int64,
        _ name: Int32
    ) -> Int32 {
        sources.append(from)
        targets.append(to)
        lengths.append(length)
        speeds.append(speed)
        ways.append(way)
        names.append(name)
        reverses.append(-1)
        points.append(contentsOf: section)
        pointStart.append(Int32(points.count))
        return Int32(sources.count - 1)
    }
}
