import FleetCore
import FleetService

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

    /// Checks the id, the name and the ring (``GeoPolygon/problem``).
    func validate() throws(Invalid) {
        guard (try? VehicleID(id)) != nil else {
            throw Invalid(description: "id must match \(FleetLimits.identifierPattern)")
        }
        guard !name.isEmpty, name.count <= 200 else { throw Invalid(description: "name must have 1 to 200 characters") }
        if let problem = polygon.problem { throw Invalid(description: problem) }
    }

    /// The ring as the shared polygon type (the same containment rule as control's geofence selection).
    var polygon: GeoPolygon { GeoPolygon(ring: ring) }

    /// Bounding box of the ring, for a cheap first test.
    var bounds: BoundingBox {
        let b = polygon.bounds
        return BoundingBox(minLongitude: b.minLongitude, minLatitude: b.minLatitude, maxLongitude: b.maxLongitude, maxLatitude: b.maxLatitude)
    }

    /// Even-odd ray casting; points exactly on an edge may fall either way.
    func contains(latitude: Double, longitude: Double) -> Bool {
        polygon.contains(latitude: latitude, longitude: longitude)
    }
}
