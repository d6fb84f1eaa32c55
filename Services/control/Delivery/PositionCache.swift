import FleetCore
import Synchronization

/// The latest position per vehicle, in memory only, for bounding-box and geofence selection.
///
/// Fed from fleet-tracking's compact position stream (``PositionConsumer``): a snapshot about a second old while
/// vehicles report, lost on restart and rebuilt from the next batches. Two tracking replicas may both report a
/// vehicle, so an entry replaces the known one only when it is newer (device time, then sequence).
final class PositionCache: Sendable {
    private let entries = Mutex<[String: PositionBatch.Entry]>([:])

    /// Records the entries that are newer than what is known of their vehicles.
    func update(_ batch: [PositionBatch.Entry]) {
        entries.withLock { PositionBatch.Entry.keepNewest(batch, in: &$0) }
    }

    /// The latest position of `vehicle`, if one was seen.
    func position(of vehicle: String) -> Position? {
        entries.withLock { $0[vehicle]?.position }
    }

    /// Vehicles whose latest position lies inside the box (inclusive).
    func vehicles(in box: BoundingBox) -> [String] {
        entries.withLock { entries in
            entries.compactMap { id, entry in box.contains(entry.position) ? id : nil }.sorted()
        }
    }

    /// Vehicles whose latest position lies inside the polygon.
    func vehicles(in polygon: GeoPolygon) -> [String] {
        let b = polygon.bounds
        let box = BoundingBox(minLat: b.minLatitude, minLon: b.minLongitude, maxLat: b.maxLatitude, maxLon: b.maxLongitude)
        return entries.withLock { entries in
            entries.compactMap { id, entry in
                box.contains(entry.position) && polygon.contains(latitude: entry.latitude, longitude: entry.longitude) ? id : nil
            }.sorted()
        }
    }

    /// How many vehicles have a position.
    var count: Int { entries.withLock { $0.count } }
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
