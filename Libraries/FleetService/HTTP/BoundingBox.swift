import FleetCore
import Foundation

/// A latitude/longitude rectangle, written `minLon,minLat,maxLon,maxLat` (the GeoJSON `bbox` order).
public struct BoundingBox: Sendable, Equatable {
    /// Western edge.
    public var minLongitude: Double
    /// Southern edge.
    public var minLatitude: Double
    /// Eastern edge.
    public var maxLongitude: Double
    /// Northern edge.
    public var maxLatitude: Double

    /// Parses `minLon,minLat,maxLon,maxLat`; nil when malformed, off the globe or inverted.
    public init?(parsing text: String) {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 4, let minLon = parts[0], let minLat = parts[1], let maxLon = parts[2], let maxLat = parts[3] else {
            return nil
        }
        self.init(minLongitude: minLon, minLatitude: minLat, maxLongitude: maxLon, maxLatitude: maxLat)
        guard FleetLimits.longitude.contains(minLon), FleetLimits.longitude.contains(maxLon),
            FleetLimits.latitude.contains(minLat), FleetLimits.latitude.contains(maxLat),
            minLon <= maxLon, minLat <= maxLat
        else { return nil }
    }

    /// Creates a box (not checked).
    public init(minLongitude: Double, minLatitude: Double, maxLongitude: Double, maxLatitude: Double) {
        self.minLongitude = minLongitude
        self.minLatitude = minLatitude
        self.maxLongitude = maxLongitude
        self.maxLatitude = maxLatitude
    }

    /// Whether the point lies inside (edges included).
    public func contains(latitude: Double, longitude: Double) -> Bool {
        (minLatitude...maxLatitude).contains(latitude) && (minLongitude...maxLongitude).contains(longitude)
    }
}
