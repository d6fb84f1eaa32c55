import FleetCore

/// A GeoJSON `Polygon` geometry in a fleet command's selection (`"geofence"`): its outer ring is the area whose
/// vehicles are commanded. Holes are refused rather than silently ignored.
struct GeoJSONPolygon: Decodable, Sendable, Equatable {
    var type: String
    var coordinates: [[[Double]]]

    /// The outer ring.
    var polygon: GeoPolygon { GeoPolygon(ring: coordinates.first ?? []) }

    /// Why the geometry is unusable, or `nil`.
    var problem: String? {
        guard type == "Polygon" else { return "geofence must be a GeoJSON Polygon (type \"Polygon\", got \"\(type)\")" }
        guard coordinates.count == 1 else {
            return coordinates.isEmpty ? "geofence needs coordinates: [[[lon, lat], …]]" : "geofence polygons with holes are not supported"
        }
        return polygon.problem.map { "geofence: \($0)" }
    }
}
