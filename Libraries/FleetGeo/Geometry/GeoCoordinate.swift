import Foundation

/// A WGS84 position in degrees.
///
/// Distances use the haversine formula on a sphere of radius ``earthRadiusMeters``, which is what edge lengths,
/// snapping distances and the A* heuristic all use, so they are mutually consistent (the triangle inequality holds).
public struct GeoCoordinate: Hashable, Sendable, CustomStringConvertible {
    /// Mean Earth radius in metres (IUGG), used by every distance in FleetGeo.
    public static let earthRadiusMeters = 6_371_008.8

    /// Latitude in degrees, positive north.
    public var latitude: Double
    /// Longitude in degrees, positive east.
    public var longitude: Double

    /// Creates a coordinate from degrees.
    public init(latitude: Double, longitude: Double) {
        self.latitude = latitude
        self.longitude = longitude
    }

    /// Creates a coordinate from OpenStreetMap fixed-point values (units of 1e-7 degrees).
    public init(latitudeE7: Int32, longitudeE7: Int32) {
        latitude = Double(latitudeE7) / 10_000_000
        longitude = Double(longitudeE7) / 10_000_000
    }

    /// Great-circle (haversine) distance in metres.
    public func distance(to other: GeoCoordinate) -> Double {
        let lat1 = latitude * .pi / 180
        let lat2 = other.latitude * .pi / 180
        let dLat = lat2 - lat1
        let dLon = (other.longitude - longitude) * .pi / 180
        let sinLat = sin(dLat / 2)
        let sinLon = sin(dLon / 2)
        let h = sinLat * sinLat + cos(lat1) * cos(lat2) * sinLon * sinLon
        return 2 * Self.earthRadiusMeters * asin(min(1, h.squareRoot()))
    }

    /// The point a fraction `t` (0…1) of the way to `other`, interpolated linearly in degrees.
    ///
    /// Accurate to centimetres over the lengths of road segments (tens to hundreds of metres).
    public func interpolated(to other: GeoCoordinate, fraction t: Double) -> GeoCoordinate {
        GeoCoordinate(
            latitude: latitude + (other.latitude - latitude) * t,
            longitude: longitude + (other.longitude - longitude) * t)
    }

    /// `lat,lon` with 7 decimals.
    public var description: String {
        String(format: "%.7f,%.7f", latitude, longitude)
    }
}
