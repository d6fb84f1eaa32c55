import FleetCore

/// A named polygon (outer ring only, `[longitude, latitude]` pairs as in GeoJSON).
struct Geofence: Sendable, Equatable {
    var id: String
    var name: String
    /// Closed or open ring of at least 3 distinct points.
    var ring: [[Double]]

    /// Why a geofence definition is unusable.
    struct Invalid: Error, CustomStringConvertible {
        var description: String
    }

    /// Checks the id and the ring (≥ 3 points, each a `[lon, lat]` on the globe, at most 10,000 points).
    func validate() throws(Invalid) {
        guard (try? VehicleID(id)) != nil else {
            throw Invalid(description: "id must match \(FleetLimits.identifierPattern)")
        }
        guard !name.isEmpty, name.count <= 200 else { throw Invalid(description: "name must have 1 to 200 characters") }
        guard ring.count >= 3, ring.count <= 10_000 else {
            throw Invalid(description: "a polygon ring needs 3 to 10000 positions (got \(ring.count))")
        }
        for (index, point) in ring.enumerated() {
            guard point.count == 2, FleetLimits.longitude.contains(point[0]), FleetLimits.latitude.contains(point[1]) else {
                throw Invalid(description: "position \(index) must be [longitude, latitude] within the globe")
            }
        }
    }

    /// Bounding box of the ring, for a cheap first test.
    var bounds: BoundingBox {
        BoundingBox(
            minLongitude: ring.map { $0[0] }.min() ?? 0, minLatitude: ring.map { $0[1] }.min() ?? 0,
            maxLongitude: ring.map { $0[0] }.max() ?? 0, maxLatitude: ring.map { $0[1] }.max() ?? 0)
    }

    /// Even-odd ray casting; points exactly on an edge may fall either way.
    func contains(latitude: Double, longitude: Double) -> Bool {
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
