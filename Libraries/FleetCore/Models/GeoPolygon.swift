/// A polygon's outer ring in GeoJSON order (`[longitude, latitude]` pairs), with point-in-polygon.
///
/// Shared by tracking (geofences and their enter/exit events) and control (commands to the vehicles inside an area),
/// so both agree on which vehicles are inside.
public struct GeoPolygon: Sendable, Equatable {
    /// Closed or open ring of at least 3 positions, each `[longitude, latitude]`.
    public var ring: [[Double]]

    /// The most positions a ring may have.
    public static let maxPositions = 10_000

    /// Wraps `ring`; check ``problem`` before using a ring from outside.
    public init(ring: [[Double]]) {
        self.ring = ring
    }

    /// Why the ring is unusable (too few or too many positions, a position that is not `[longitude, latitude]` on
    /// the globe), or `nil`.
    public var problem: String? {
        guard ring.count >= 3, ring.count <= Self.maxPositions else {
            return "a polygon ring needs 3 to \(Self.maxPositions) positions (got \(ring.count))"
        }
        for (index, point) in ring.enumerated() {
            guard point.count == 2, FleetLimits.longitude.contains(point[0]), FleetLimits.latitude.contains(point[1]) else {
                return "position \(index) must be [longitude, latitude] within the globe"
            }
        }
        return nil
    }

    /// The smallest latitude/longitude rectangle around the ring, for a cheap first test.
    public var bounds: (minLatitude: Double, minLongitude: Double, maxLatitude: Double, maxLongitude: Double) {
        (
            ring.map { $0[1] }.min() ?? 0, ring.map { $0[0] }.min() ?? 0,
            ring.map { $0[1] }.max() ?? 0, ring.map { $0[0] }.max() ?? 0
        )
    }

    /// Whether the point lies inside the ring: even-odd ray casting; a point exactly on an edge may fall either way.
    public func contains(latitude: Double, longitude: Double) -> Bool {
        var inside = false
        var j = ring.count - 1
        for i in 0..<ring.count {
            let (xi, yi) = (ring[i][0], ring[i][1])
            let (xj, yj) = (ring[j][0], ring[j][1])
            if (yi > latitude) != (yj > latitude), longitude < (xj - xi) * (latitude - yi) / (yj - yi) + xi {
                inside.toggle()
            }
            j = i
        }
        return inside
    }
}
