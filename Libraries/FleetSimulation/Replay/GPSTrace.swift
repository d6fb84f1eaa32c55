public import FleetGeo

/// One recorded vehicle trip: positions with their time offsets from the first point.
public struct GPSTrace: Hashable, Sendable {
    /// A recorded position.
    public struct Point: Hashable, Sendable {
        /// Where.
        public var coordinate: GeoCoordinate
        /// Seconds since the trace's first point (non-decreasing).
        public var seconds: Double

        /// Creates a point.
        public init(coordinate: GeoCoordinate, seconds: Double) {
            self.coordinate = coordinate
            self.seconds = seconds
        }
    }

    /// The trace's id in its source data set.
    public var sourceID: String
    /// The points, at least two, in time order.
    public var points: [Point]

    /// Creates a trace.
    public init(sourceID: String, points: [Point]) {
        self.sourceID = sourceID
        self.points = points
    }

    /// Seconds from the first to the last point.
    public var duration: Double { points.last.map(\.seconds) ?? 0 }
}
