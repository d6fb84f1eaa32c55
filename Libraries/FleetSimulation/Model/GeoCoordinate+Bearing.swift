import FleetGeo
import Foundation

extension GeoCoordinate {
    /// Initial bearing from `self` to `other`, degrees clockwise from north in `0..<360`.
    func bearing(to other: GeoCoordinate) -> Double {
        let φ1 = latitude * .pi / 180, φ2 = other.latitude * .pi / 180
        let Δλ = (other.longitude - longitude) * .pi / 180
        let y = sin(Δλ) * cos(φ2)
        let x = cos(φ1) * sin(φ2) - sin(φ1) * cos(φ2) * cos(Δλ)
        let degrees = atan2(y, x) * 180 / .pi
        let normalised = degrees < 0 ? degrees + 360 : degrees
        return normalised >= 360 ? 0 : normalised
    }

    /// The point `meters` away in direction `bearing` (degrees), on a local flat-earth approximation.
    func moved(meters: Double, bearing: Double) -> GeoCoordinate {
        let radians = bearing * .pi / 180
        let north = meters * cos(radians), east = meters * sin(radians)
        let latitudeDelta = north / GeoCoordinate.earthRadiusMeters * 180 / .pi
        let longitudeDelta = east / (GeoCoordinate.earthRadiusMeters * cos(latitude * .pi / 180)) * 180 / .pi
        return GeoCoordinate(latitude: latitude + latitudeDelta, longitude: longitude + longitudeDelta)
    }
}
