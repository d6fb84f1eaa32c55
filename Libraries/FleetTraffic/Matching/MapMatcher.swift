public import FleetGeo
import Foundation

/// Places single position fixes on directed edges of a ``FleetGeo/RoadGraph``.
///
/// A fix is matched to the segment closest to it within ``Configuration/searchRadiusMeters``, weighing the heading:
/// each street within the radius offers its allowed directions (one for a one-way street, two for a two-way one),
/// and the direction scores `distance + headingPenaltyMeters × (1 − cos Δ) / 2` where `Δ` is the angle between the
/// reported heading and the direction of the segment at the closest point. The lowest score wins.
///
/// **Moving** (speed ≥ ``Configuration/movingSpeedMetersPerSecond``): a direction whose `Δ` exceeds
/// ``Configuration/maximumHeadingDifferenceDegrees`` is not allowed; if no direction within the radius is, the fix
/// is refused (``MatchFailure/headingDisagrees``).
///
/// **Standstill** (below that speed): a receiver's course over ground is unreliable without movement, so the
/// heading only ranks directions and never refuses a fix. A stopped vehicle on a road is still matched, because a
/// jam is slow traffic, not absent traffic; whether the sample then counts as a speed observation (and not as a
/// parked vehicle) is decided by ``TrafficMonitor`` (see ``TrafficMonitor/Configuration/maximumStandstillSeconds``).
///
/// **No heading**: on a two-way street the direction of `previousEdge` is kept when the fix is on the same street;
/// otherwise the fix is refused (``MatchFailure/ambiguousDirection``).
///
/// Cost: a sine and cosine of the heading plus a few floating-point operations per segment in 2 × 2 grid cells
/// (see ``TrafficBenchmark``); no allocation. Value type, `Sendable`, safe to share between tasks.
public struct MapMatcher: Sendable {
    /// Matching thresholds.
    public struct Configuration: Hashable, Sendable {
        /// Largest distance from a fix to the road it is matched to, metres. Default 25 (GNSS error in streets
        /// plus half a carriageway).
        public var searchRadiusMeters: Double = 25
        /// Largest angle between heading and road direction accepted while moving, degrees. Default 60.
        public var maximumHeadingDifferenceDegrees: Double = 60
        /// Speed from which a vehicle counts as moving (its heading is trusted), metres per second. Default 1.
        public var movingSpeedMetersPerSecond: Double = 1
        /// Score added for a direction opposite to the heading, metres (`× (1 − cos Δ) / 2`: 0 when aligned,
        /// a quarter of it at 60°). Default 40, so alignment outweighs a few metres of distance.
        public var headingPenaltyMeters: Double = 40

        /// Creates a configuration; every parameter defaults to the documented value.
        public init(
            searchRadiusMeters: Double = 25, maximumHeadingDifferenceDegrees: Double = 60,
            movingSpeedMetersPerSecond: Double = 1, headingPenaltyMeters: Double = 40
        ) {
            self.searchRadiusMeters = searchRadiusMeters
            self.maximumHeadingDifferenceDegrees = maximumHeadingDifferenceDegrees
            self.movingSpeedMetersPerSecond = movingSpeedMetersPerSecond
            self.headingPenaltyMeters = headingPenaltyMeters
        }
    }

    /// The graph matched against.
    public let graph: RoadGraph
    /// The thresholds in force.
    public let configuration: Configuration

    private let grid: SegmentGrid
    /// cos(``Configuration/maximumHeadingDifferenceDegrees``).
    private let minimumCosine: Double

    /// Indexes `graph` for matching (linear in the number of polyline segments).
    public init(graph: RoadGraph, configuration: Configuration = Configuration()) {
        self.graph = graph
        self.configuration = configuration
        grid = SegmentGrid(graph: graph, cellSizeMeters: max(20, 2 * configuration.searchRadiusMeters))
        minimumCosine = cos(configuration.maximumHeadingDifferenceDegrees * .pi / 180)
    }

    /// Tie-break between equally scored candidates, for results independent of the grid's layout: lower edge, then
    /// earlier segment, then the indexed direction first.
    @inline(__always)
    private static func precedes(
        _ segment: SegmentGrid.Segment, _ reversed: Bool, _ best: SegmentGrid.Segment?, _ bestReversed: Bool
    ) -> Bool {
        guard let best else { return true }
        return (segment.edge, segment.startOffset, reversed ? 1 : 0) < (best.edge, best.startOffset, bestReversed ? 1 : 0)
    }

    /// (sin, cos) of an angle in degrees.
    @inline(__always)
    private static func sineAndCosine(ofDegrees degrees: Double) -> (Double, Double) {
        let radians = degrees * .pi / 180
        return (sin(radians), cos(radians))
    }

    /// Bytes held by the matcher's own index (the graph not counted).
    public var indexMemoryBytes: Int { grid.memoryBytes }

    /// Matches the fix `position` reported with `headingDegrees` (clockwise from north, `nil` or non-finite if
    /// unknown) and `speedMetersPerSecond`; `previousEdge` (the vehicle's last matched edge) only settles the
    /// direction on a two-way street when there is no heading. See the type's documentation for the rules.
    public func match(
        _ position: GeoCoordinate, headingDegrees: Double?, speedMetersPerSecond: Double, previousEdge: Int? = nil
    ) -> MatchOutcome {
        let radius = configuration.searchRadiusMeters
        let queryLatitude = position.latitude - grid.originLatitude
        let queryLongitude = position.longitude - grid.originLongitude
        guard radius > 0, queryLatitude.isFinite, queryLongitude.isFinite else { return .unmatched(.noRoadNearby) }
        let ky = SegmentGrid.metersPerDegreeLatitude
        let kx = ky * grid.rowCosines[grid.clampedRow(queryLatitude / grid.cellLatitudeDegrees)]
        // Cells overlapping the square around the query; none if the square misses the grid.
        let radiusLatitude = radius / ky
        let radiusLongitude = radius / kx
        let columnLow = (queryLongitude - radiusLongitude) / grid.cellLongitudeDegrees
        let columnHigh = (queryLongitude + radiusLongitude) / grid.cellLongitudeDegrees
        let rowLow = (queryLatitude - radiusLatitude) / grid.cellLatitudeDegrees
        let rowHigh = (queryLatitude + radiusLatitude) / grid.cellLatitudeDegrees
        guard columnHigh >= 0, rowHigh >= 0, columnLow < Double(grid.columns), rowLow < Double(grid.rows) else {
            return .unmatched(.noRoadNearby)
        }
        // The query's square in the grid's Float degree offsets, widened by a rounding margin.
        let boxNorth = Float(queryLatitude + radiusLatitude * 1.001)
        let boxSouth = Float(queryLatitude - radiusLatitude * 1.001)
        let boxEast = Float(queryLongitude + radiusLongitude * 1.001)
        let boxWest = Float(queryLongitude - radiusLongitude * 1.001)
        let firstColumn = grid.clampedColumn(columnLow)
        let lastColumn = grid.clampedColumn(columnHigh)
        let firstRow = grid.clampedRow(rowLow)
        let lastRow = grid.clampedRow(rowHigh)

        var headingX = 0.0
        var headingY = 0.0
        let hasHeading = headingDegrees.map(\.isFinite) ?? false
        if hasHeading, let headingDegrees {
            (headingX, headingY) = Self.sineAndCosine(ofDegrees: headingDegrees)
        }
        let strict = hasHeading && speedMetersPerSecond >= configuration.movingSpeedMetersPerSecond
        let penalty = configuration.headingPenaltyMeters / 2
        let radiusSquared = radius * radius
        let previous = Int32(truncatingIfNeeded: previousEdge ?? -1)

        var sawRoad = false
        var bestScore = Double.infinity
        var bestSegment: SegmentGrid.Segment?
        var bestReversed = false
        var bestAmbiguous = false
        var bestFraction = 0.0
        var bestDistance = 0.0
        var bestCosine = 1.0

        grid.cellSegments.withUnsafeBufferPointer { cellSegments in
            grid.cellStart.withUnsafeBufferPointer { cellStart in
                for row in firstRow...lastRow {
                    for column in firstColumn...lastColumn {
                        let cell = row * grid.columns + column
                        for slot in Int(cellStart[cell])..<Int(cellStart[cell + 1]) {
                            let segment = cellSegments[slot]
                            // Most segments in the cells are farther than the radius: reject them on their bounding
                            // box before any arithmetic.
                            if min(segment.startLatitude, segment.endLatitude) > boxNorth
                                || max(segment.startLatitude, segment.endLatitude) < boxSouth
                                || min(segment.startLongitude, segment.endLongitude) > boxEast
                                || max(segment.startLongitude, segment.endLongitude) < boxWest
                            {
                                continue
                            }
                            let startX = Double(segment.startLongitude)
                            let startY = Double(segment.startLatitude)
                            let dx = (Double(segment.endLongitude) - startX) * kx
                            let dy = (Double(segment.endLatitude) - startY) * ky
                            let px = (queryLongitude - startX) * kx
                            let py = (queryLatitude - startY) * ky
                            let lengthSquared = dx * dx + dy * dy
                            var fraction = lengthSquared > 0 ? (px * dx + py * dy) / lengthSquared : 0
                            fraction = min(1, max(0, fraction))
                            let ex = px - fraction * dx
                            let ey = py - fraction * dy
                            let distanceSquared = ex * ex + ey * ey
                            if distanceSquared > radiusSquared { continue }
                            sawRoad = true
                            let distance = distanceSquared.squareRoot()
                            let reverse = segment.reverseEdge

                            if hasHeading {
                                let length = lengthSquared.squareRoot()
                                let forwardCosine = length > 0 ? (dx * headingX + dy * headingY) / length : 1
                                // Forward, then (two-way only) reverse direction.
                                let directions = reverse >= 0 ? 2 : 1
                                for direction in 0..<directions {
                                    let reversed = direction == 1
                                    let cosine = reversed ? -forwardCosine : forwardCosine
                                    if strict && cosine < minimumCosine { continue }
                                    let score = distance + penalty * (1 - cosine)
                                    if score < bestScore
                                        || (score == bestScore && Self.precedes(segment, reversed, bestSegment, bestReversed))
                                    {
                                        bestScore = score
                                        bestSegment = segment
                                        bestReversed = reversed
                                        bestAmbiguous = false
                                        bestFraction = fraction
                                        bestDistance = distance
                                        bestCosine = cosine
                                    }
                                }
                            } else {
                                let reversed = reverse >= 0 && previous == reverse
                                let ambiguous = reverse >= 0 && previous != reverse && previous != segment.edge
                                if distance < bestScore
                                    || (distance == bestScore && Self.precedes(segment, reversed, bestSegment, bestReversed))
                                {
                                    bestScore = distance
                                    bestSegment = segment
                                    bestReversed = reversed
                                    bestAmbiguous = ambiguous
                                    bestFraction = fraction
                                    bestDistance = distance
                                }
                            }
                        }
                    }
                }
            }
        }

        guard let segment = bestSegment else { return .unmatched(sawRoad ? .headingDisagrees : .noRoadNearby) }
        if bestAmbiguous { return .unmatched(.ambiguousDirection) }
        let indexedEdge = Int(segment.edge)
        let dx = (Double(segment.endLongitude) - Double(segment.startLongitude)) * kx
        let dy = (Double(segment.endLatitude) - Double(segment.startLatitude)) * ky
        let length = graph.length(of: indexedEdge)
        let along = min(length, Double(segment.startOffset) + bestFraction * (dx * dx + dy * dy).squareRoot())
        let edge = bestReversed ? Int(segment.reverseEdge) : indexedEdge
        return .matched(
            MatchedPosition(
                edge: edge, distance: bestDistance, offset: bestReversed ? max(0, length - along) : along,
                headingDifferenceDegrees: hasHeading ? acos(min(1, max(-1, bestCosine))) * 180 / .pi : nil))
    }
}
