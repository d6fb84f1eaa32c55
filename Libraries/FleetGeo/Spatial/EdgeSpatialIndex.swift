import Foundation

/// Nearest-edge lookup over a ``RoadGraph``: a uniform grid over every polyline segment.
///
/// Each segment is registered in every grid cell its bounding box touches; a query searches rings of cells
/// outward from its own cell and stops once no unvisited cell can hold anything closer than the best candidate.
/// Both directions of a two-way street share one geometry, so only one of them is indexed; ``nearest(to:accepting:)``
/// returns whichever direction `accepting` allows (the lower edge index when both are).
public struct EdgeSpatialIndex: Sendable {
    /// The graph indexed.
    public let graph: RoadGraph
    /// Grid cell edge length in metres (north–south; east–west at the graph's mid-latitude).
    public let cellSizeMeters: Double

    private let originLatitude: Double
    private let originLongitude: Double
    private let cellLatitudeDegrees: Double
    private let cellLongitudeDegrees: Double
    private let columns: Int
    private let rows: Int
    /// `columns × rows + 1` offsets into `cellPoints`/`cellEdges`.
    private let cellStart: [Int32]
    /// Index in the graph's geometry of each registered segment's first point.
    private let cellPoints: [Int32]
    /// The (indexed direction's) edge owning each registered segment.
    private let cellEdges: [Int32]

    private static let metersPerDegreeLatitude = GeoCoordinate.earthRadiusMeters * .pi / 180
    private static let maximumCells = 4_000_000

    /// Indexes `graph` with cells of about `cellSizeMeters` (made larger if the area would need over 4 million cells).
    public init(graph: RoadGraph, cellSizeMeters: Double = 100) {
        self.graph = graph
        let points = graph.geometryPoints
        let latitudes = points.lazy.map(\.latitude)
        let longitudes = points.lazy.map(\.longitude)
        let minLatitude = latitudes.min() ?? 0
        let maxLatitude = latitudes.max() ?? 0
        let minLongitude = longitudes.min() ?? 0
        let maxLongitude = longitudes.max() ?? 0
        let cosine = max(0.01, cos((minLatitude + maxLatitude) / 2 * .pi / 180))

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
        self.cellSizeMeters = size
        originLatitude = minLatitude
        originLongitude = minLongitude
        cellLatitudeDegrees = size / Self.metersPerDegreeLatitude
        cellLongitudeDegrees = cellLatitudeDegrees / cosine
        self.columns = columns
        self.rows = rows

        // Two passes: count segments per cell, then fill (compressed sparse row).
        var start = [Int32](repeating: 0, count: columns * rows + 1)
        var entries: [(cell: Int, point: Int32, edge: Int32)] = []
        for edge in 0..<graph.edgeCount {
            if let reverse = graph.reverseEdge(of: edge), reverse < edge { continue }
            let first = Int(graph.edgeGeometryStart[edge])
            let last = Int(graph.edgeGeometryStart[edge + 1]) - 1
            for point in first..<last {
                let a = points[point]
                let b = points[point + 1]
                let (column0, row0) = Self.cell(of: a, minLatitude, minLongitude, cellLatitudeDegrees, cellLongitudeDegrees)
                let (column1, row1) = Self.cell(of: b, minLatitude, minLongitude, cellLatitudeDegrees, cellLongitudeDegrees)
                for row in min(row0, row1)...max(row0, row1) {
                    for column in min(column0, column1)...max(column0, column1) {
                        let cell = row * columns + column
                        start[cell + 1] += 1
                        entries.append((cell, Int32(point), Int32(edge)))
                    }
                }
            }
        }
        for cell in 0..<(columns * rows) { start[cell + 1] += start[cell] }
        var next = start
        var cellPoints = [Int32](repeating: 0, count: entries.count)
        var cellEdges = [Int32](repeating: 0, count: entries.count)
        for entry in entries {
            let slot = Int(next[entry.cell])
            cellPoints[slot] = entry.point
            cellEdges[slot] = entry.edge
            next[entry.cell] += 1
        }
        cellStart = start
        self.cellPoints = cellPoints
        self.cellEdges = cellEdges
    }

    private static func cell(
        of point: GeoCoordinate, _ originLatitude: Double, _ originLongitude: Double, _ cellLatitude: Double,
        _ cellLongitude: Double
    ) -> (column: Int, row: Int) {
        (Int(((point.longitude - originLongitude) / cellLongitude).rounded(.down)),
         Int(((point.latitude - originLatitude) / cellLatitude).rounded(.down)))
    }

    /// The closest point on any edge `accepting` allows, or `nil` if there is none.
    ///
    /// Exact up to the local flat-earth projection used to find the closest point on each segment
    /// (centimetres at city scale); ``RoadSnap/distance`` is the great-circle distance.
    public func nearest(to query: GeoCoordinate, accepting: (Int) -> Bool = { _ in true }) -> RoadSnap? {
        guard !cellPoints.isEmpty else { return nil }
        let projection = LocalProjection(origin: query)
        let (column, row) = Self.cell(
            of: query, originLatitude, originLongitude, cellLatitudeDegrees, cellLongitudeDegrees)
        // Smallest cell side in metres at the query's latitude, with margin for the flat-earth approximation.
        let ringWidth =
            0.99 * min(cellSizeMeters, cellLongitudeDegrees * Self.metersPerDegreeLatitude * cos(query.latitude * .pi / 180))
        // Rings before `firstRing` lie wholly outside the grid; after `lastRing` every cell has been seen.
        let firstRing = max(0, -column, column - (columns - 1), -row, row - (rows - 1))
        let lastRing = max(abs(column), abs(column - columns), abs(row), abs(row - rows)) + 1

        var best: (distance: Double, edge: Int, point: Int, fraction: Double)?
        let points = graph.geometryPoints
        for ring in firstRing...lastRing {
            let rowRange = max(0, row - ring)...min(rows - 1, row + ring)
            for cellRow in rowRange {
                let onEdgeRow = cellRow == row - ring || cellRow == row + ring
                let candidates =
                    onEdgeRow ? Array(max(0, column - ring)...min(columns - 1, column + ring))
                    : [column - ring, column + ring].filter { $0 >= 0 && $0 < columns }
                for cellColumn in candidates where cellColumn >= 0 && cellColumn < columns {
                    let cell = cellRow * columns + cellColumn
                    for slot in Int(cellStart[cell])..<Int(cellStart[cell + 1]) {
                        guard let edge = chooseDirection(Int(cellEdges[slot]), accepting) else { continue }
                        let point = Int(cellPoints[slot])
                        let a = points[point]
                        let b = points[point + 1]
                        let fraction = projection.closestFraction(of: query, onSegmentFrom: a, to: b)
                        let distance = query.distance(to: a.interpolated(to: b, fraction: fraction))
                        if let current = best,
                            distance > current.distance
                                || (distance == current.distance && (edge, point) >= (current.edge, current.point))
                        {
                            continue
                        }
                        best = (distance, edge, point, fraction)
                    }
                }
            }
            if let best, best.distance <= Double(ring) * ringWidth { break }
        }
        guard let best else { return nil }
        return makeSnap(indexedEdge: best.edge, point: best.point, fraction: best.fraction, distance: best.distance)
    }

    /// The indexed edge or its reverse, whichever `accepting` allows (the indexed one first).
    private func chooseDirection(_ edge: Int, _ accepting: (Int) -> Bool) -> Int? {
        if accepting(edge) { return edge }
        if let reverse = graph.reverseEdge(of: edge), accepting(reverse) { return reverse }
        return nil
    }

    private func makeSnap(indexedEdge edge: Int, point: Int, fraction: Double, distance: Double) -> RoadSnap {
        // `point` indexes the indexed direction's geometry; convert if the reverse direction was chosen.
        let indexed = graph.reverseEdge(of: edge).map { $0 < edge ? $0 : edge } ?? edge
        let geometry = graph.geometry(of: indexed)
        let segment = point - geometry.startIndex
        let a = geometry[point]
        let b = geometry[point + 1]
        let coordinate = a.interpolated(to: b, fraction: fraction)
        var offset = a.distance(to: coordinate)
        for index in geometry.startIndex..<point { offset += geometry[index].distance(to: geometry[index + 1]) }
        if edge == indexed {
            return RoadSnap(edge: edge, segment: segment, coordinate: coordinate, offset: offset, distance: distance)
        }
        let segmentCount = geometry.count - 1
        return RoadSnap(
            edge: edge, segment: segmentCount - 1 - segment, coordinate: coordinate,
            offset: max(0, graph.length(of: edge) - offset), distance: distance)
    }
}
