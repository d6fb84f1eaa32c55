import FleetGeo
import Foundation

/// Every polyline segment of a ``RoadGraph`` in a uniform grid, for bounded-radius candidate searches.
///
/// ``FleetGeo/EdgeSpatialIndex`` answers "the single nearest edge" with an unbounded ring search and a haversine per
/// candidate; map matching instead needs every segment within a small radius (to weigh the heading against both
/// directions of a street) at a fixed, small cost. So this grid stores each segment as `Float` degree offsets from
/// the grid origin (28 bytes) in every cell it crosses, cells are twice the search radius (a query reads 2 × 2
/// cells), and distances are planar in a projection local to the query
/// (centimetre-exact at 25 m). Like `EdgeSpatialIndex`, only one direction of a two-way street is stored (the lower
/// edge index); the other is its ``RoadGraph/reverseEdge(of:)``.
struct SegmentGrid: Sendable {
    /// One polyline segment of an indexed edge.
    struct Segment: Sendable {
        /// Start point, degrees relative to the grid origin.
        var startLatitude: Float
        var startLongitude: Float
        /// End point, degrees relative to the grid origin.
        var endLatitude: Float
        var endLongitude: Float
        /// The indexed edge (the lower index of a two-way pair).
        var edge: Int32
        /// Distance along the indexed edge from its source to the segment's start, metres.
        var startOffset: Float
        /// The opposite direction of `edge`, -1 if one-way (here, not in a separate array: one cache miss less).
        var reverseEdge: Int32
    }

    static let metersPerDegreeLatitude = GeoCoordinate.earthRadiusMeters * .pi / 180
    private static let maximumCells = 4_000_000

    let originLatitude: Double
    let originLongitude: Double
    let cellLatitudeDegrees: Double
    let cellLongitudeDegrees: Double
    let columns: Int
    let rows: Int
    /// `columns × rows + 1` offsets into `cellSegments`.
    let cellStart: [Int32]
    /// The segments of each cell, cell after cell: a segment crossing several cells is stored in each, so that a
    /// query reads every cell sequentially (no indirection, one cache miss per few segments).
    let cellSegments: [Segment]
    /// Cosine of the latitude at the middle of each row (metres per degree of longitude / of latitude); constant to
    /// 1e-5 across a row of at most a few hundred metres.
    let rowCosines: [Double]

    /// Indexes `graph` with cells of at least `cellSizeMeters` (doubled until there are at most 4 million cells).
    init(graph: RoadGraph, cellSizeMeters: Double) {
        var minLatitude = Double.infinity
        var maxLatitude = -Double.infinity
        var minLongitude = Double.infinity
        var maxLongitude = -Double.infinity
        for edge in 0..<graph.edgeCount {
            for point in graph.geometry(of: edge) {
                minLatitude = min(minLatitude, point.latitude)
                maxLatitude = max(maxLatitude, point.latitude)
                minLongitude = min(minLongitude, point.longitude)
                maxLongitude = max(maxLongitude, point.longitude)
            }
        }
        if graph.edgeCount == 0 { (minLatitude, maxLatitude, minLongitude, maxLongitude) = (0, 0, 0, 0) }
        // The narrowest cell (east–west) is at the latitude farthest from the equator.
        let cosine = max(0.01, cos(max(abs(minLatitude), abs(maxLatitude)) * .pi / 180))
        var size = max(1, cellSizeMeters)
        var columns = 1
        var rows = 1
        while true {
            let cellLatitude = size / Self.metersPerDegreeLatitude
            columns = Int((maxLongitude - minLongitude) / (cellLatitude / cosine)) + 1
            rows = Int((maxLatitude - minLatitude) / cellLatitude) + 1
            if columns * rows <= Self.maximumCells { break }
            size *= 2
        }
        originLatitude = minLatitude
        originLongitude = minLongitude
        cellLatitudeDegrees = size / Self.metersPerDegreeLatitude
        cellLongitudeDegrees = cellLatitudeDegrees / cosine
        self.columns = columns
        self.rows = rows

        var segments: [Segment] = []
        var cellOfEntry: [(cell: Int32, segment: Int32)] = []
        var start = [Int32](repeating: 0, count: columns * rows + 1)
        for edge in 0..<graph.edgeCount {
            if let reverse = graph.reverseEdge(of: edge), reverse < edge { continue }
            let points = graph.geometry(of: edge)
            var offset = 0.0
            var index = points.startIndex
            while index + 1 < points.endIndex {
                let a = points[index]
                let b = points[index + 1]
                let segment = Int32(segments.count)
                segments.append(
                    Segment(
                        startLatitude: Float(a.latitude - minLatitude), startLongitude: Float(a.longitude - minLongitude),
                        endLatitude: Float(b.latitude - minLatitude), endLongitude: Float(b.longitude - minLongitude),
                        edge: Int32(edge), startOffset: Float(offset), reverseEdge: Int32(graph.reverseEdge(of: edge) ?? -1)))
                offset += a.distance(to: b)
                let (column0, row0) = Self.cell(a, minLatitude, minLongitude, cellLatitudeDegrees, cellLongitudeDegrees, columns, rows)
                let (column1, row1) = Self.cell(b, minLatitude, minLongitude, cellLatitudeDegrees, cellLongitudeDegrees, columns, rows)
                // Segment in cell units; registered only in the cells it crosses (not its whole bounding box).
                let u0 = (a.longitude - minLongitude) / cellLongitudeDegrees
                let v0 = (a.latitude - minLatitude) / cellLatitudeDegrees
                let u1 = (b.longitude - minLongitude) / cellLongitudeDegrees
                let v1 = (b.latitude - minLatitude) / cellLatitudeDegrees
                for row in min(row0, row1)...max(row0, row1) {
                    for column in min(column0, column1)...max(column0, column1) {
                        guard Self.segment(u0, v0, u1, v1, crossesCellAt: column, row) else { continue }
                        let cell = row * columns + column
                        start[cell + 1] += 1
                        cellOfEntry.append((Int32(cell), segment))
                    }
                }
                index += 1
            }
        }
        for cell in 0..<(columns * rows) { start[cell + 1] += start[cell] }
        var next = start
        var cellSegments = [Segment](
            repeating: Segment(
                startLatitude: 0, startLongitude: 0, endLatitude: 0, endLongitude: 0, edge: 0, startOffset: 0,
                reverseEdge: -1),
            count: cellOfEntry.count)
        for entry in cellOfEntry {
            cellSegments[Int(next[Int(entry.cell)])] = segments[Int(entry.segment)]
            next[Int(entry.cell)] += 1
        }
        cellStart = start
        self.cellSegments = cellSegments
        let cellLatitude = cellLatitudeDegrees
        rowCosines = (0..<rows).map { row in cos((minLatitude + (Double(row) + 0.5) * cellLatitude) * .pi / 180) }
    }

    /// The cell holding `point`, clamped to the grid.
    private static func cell(
        _ point: GeoCoordinate, _ originLatitude: Double, _ originLongitude: Double, _ cellLatitude: Double,
        _ cellLongitude: Double, _ columns: Int, _ rows: Int
    ) -> (column: Int, row: Int) {
        (clamp((point.longitude - originLongitude) / cellLongitude, columns),
         clamp((point.latitude - originLatitude) / cellLatitude, rows))
    }

    /// Whether the segment (`u0`, `v0`)–(`u1`, `v1`) in cell units touches cell (`column`, `row`), with a small margin
    /// (Liang–Barsky clipping against the cell's square).
    private static func segment(
        _ u0: Double, _ v0: Double, _ u1: Double, _ v1: Double, crossesCellAt column: Int, _ row: Int
    ) -> Bool {
        let margin = 1e-6
        var enter = 0.0
        var leave = 1.0
        let du = u1 - u0
        let dv = v1 - v0
        func clip(_ p: Double, _ q: Double) -> Bool {
            if p == 0 { return q >= 0 }
            let t = q / p
            if p < 0 { enter = max(enter, t) } else { leave = min(leave, t) }
            return enter <= leave
        }
        return clip(-du, u0 - (Double(column) - margin)) && clip(du, Double(column + 1) + margin - u0)
            && clip(-dv, v0 - (Double(row) - margin)) && clip(dv, Double(row + 1) + margin - v0)
    }

    @inline(__always)
    private static func clamp(_ value: Double, _ count: Int) -> Int {
        value.isFinite ? Int(min(Double(count - 1), max(0, value.rounded(.down)))) : 0
    }

    /// The column of the longitude offset `value` / cell width, clamped to the grid.
    @inline(__always)
    func clampedColumn(_ value: Double) -> Int { Self.clamp(value, columns) }

    /// The row of the latitude offset `value` / cell height, clamped to the grid.
    @inline(__always)
    func clampedRow(_ value: Double) -> Int { Self.clamp(value, rows) }

    /// Bytes held by the grid's arrays (capacity not counted).
    var memoryBytes: Int {
        cellSegments.count * MemoryLayout<Segment>.stride + cellStart.count * 4 + rowCosines.count * 8
    }
}
