/// The fastest drive between two waypoints, as found by ``ContractionHierarchy/path(from:to:)``.
public struct WaypointPath: Hashable, Sendable {
    /// Graph edges driven, in order (consecutive edges share a node). The first is entered at
    /// ``startFraction`` and the last left at ``endFraction``; a drive along one edge has a single entry.
    public var edges: [Int]
    /// Where the drive starts on `edges.first`, as a fraction of its length.
    public var startFraction: Double
    /// Where the drive ends on `edges.last`, as a fraction of its length.
    public var endFraction: Double
    /// Travel time, seconds (equal to the matrix entry for the same waypoints and metric).
    public var duration: Double
    /// Length, metres (equal to the matrix entry for the same waypoints and metric).
    public var distance: Double
    /// The road geometry driven, from the start point to the end point.
    public var coordinates: [GeoCoordinate]

    /// Creates a path.
    public init(
        edges: [Int], startFraction: Double, endFraction: Double, duration: Double, distance: Double,
        coordinates: [GeoCoordinate]
    ) {
        self.edges = edges
        self.startFraction = startFraction
        self.endFraction = endFraction
        self.duration = duration
        self.distance = distance
        self.coordinates = coordinates
    }
}
