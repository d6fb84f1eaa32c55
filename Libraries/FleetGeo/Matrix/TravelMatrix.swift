/// Travel times and distances from every source waypoint to every target waypoint.
///
/// Each entry is the fastest drive (ties in time broken by the shorter distance), with time in milliseconds and
/// distance in centimetres of precision. Unreachable pairs give `nil`.
public struct TravelMatrix: Hashable, Sendable {
    /// Number of sources.
    public let rows: Int
    /// Number of targets.
    public let columns: Int
    /// Packed costs (see `TravelCost`), row-major.
    let costs: [UInt64]

    init(rows: Int, columns: Int, costs: [UInt64]) {
        precondition(costs.count == rows * columns)
        self.rows = rows
        self.columns = columns
        self.costs = costs
    }

    /// Fastest travel time from source `row` to target `column`, seconds; `nil` if there is no route.
    public func duration(from row: Int, to column: Int) -> Double? {
        let cost = costs[index(row, column)]
        return cost < TravelCost.infinity ? TravelCost.seconds(cost) : nil
    }

    /// Length of the fastest route from source `row` to target `column`, metres; `nil` if there is no route.
    public func distance(from row: Int, to column: Int) -> Double? {
        let cost = costs[index(row, column)]
        return cost < TravelCost.infinity ? TravelCost.metres(cost) : nil
    }

    /// Whether some route leads from source `row` to target `column`.
    public func isReachable(from row: Int, to column: Int) -> Bool {
        costs[index(row, column)] < TravelCost.infinity
    }

    private func index(_ row: Int, _ column: Int) -> Int {
        precondition(row >= 0 && row < rows && column >= 0 && column < columns, "matrix index out of range")
        return row * columns + column
    }
}
