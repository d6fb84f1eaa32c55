import FleetCore
import Synchronization

/// The latest telemetry position per vehicle, in memory only, for bounding-box selection.
///
/// Fed from a QoS 0, non-shared subscription to `fleet/v1/vehicles/+/telemetry`: positions are a best-effort
/// snapshot (a few seconds old at most while vehicles report), lost on restart and rebuilt from the next samples.
final class PositionCache: Sendable {
    private let positions = Mutex<[String: Position]>([:])

    /// Records `position` as `vehicle`'s latest.
    func update(_ vehicle: String, _ position: Position) {
        positions.withLock { $0[vehicle] = position }
    }

    /// The latest position of `vehicle`, if one was seen.
    func position(of vehicle: String) -> Position? {
        positions.withLock { $0[vehicle] }
    }

    /// Vehicles whose latest position lies inside the box (inclusive).
    func vehicles(in box: BoundingBox) -> [String] {
        positions.withLock { positions in
            positions.compactMap { id, position in box.contains(position) ? id : nil }.sorted()
        }
    }

    /// Vehicles whose latest position lies inside the polygon.
    func vehicles(in polygon: GeoPolygon) -> [String] {
        let b = polygon.bounds
        let box = BoundingBox(minLat: b.minLatitude, minLon: b.minLongitude, maxLat: b.maxLatitude, maxLon: b.maxLongitude)
        return positions.withLock { positions in
            positions.compactMap { id, position in
                box.contains(position) && polygon.contains(latitude: position.latitude, longitude: position.longitude) ? id : nil
            }.sorted()
        }
    }

    /// How many vehicles have a position.
    var count: Int { positions.withLock { $0.count } }
}

/// A latitude/longitude rectangle (not crossing the antimeridian).
struct BoundingBox: Sendable, Codable, Equatable {
    var minLat: Double
    var minLon: Double
    var maxLat: Double
    var maxLon: Double

    enum CodingKeys: String, CodingKey {
        case minLat = "min_lat"
        case minLon = "min_lon"
        case maxLat = "max_lat"
        case maxLon = "max_lon"
    }

    func contains(_ position: Position) -> Bool {
        (minLat...maxLat).contains(position.latitude) && (minLon...maxLon).contains(position.longitude)
    }

    /// Why the box is invalid, or `nil`.
    var problem: String? {
        guard FleetLimits.latitude.contains(minLat), FleetLimits.latitude.contains(maxLat),
            FleetLimits.longitude.contains(minLon), FleetLimits.longitude.contains(maxLon)
        else { return "bbox coordinates must be valid latitudes (-90...90) and longitudes (-180...180)" }
        guard minLat <= maxLat, minLon <= maxLon else { return "bbox needs min_lat <= max_lat and min_lon <= max_lon" }
        return nil
    }
}
