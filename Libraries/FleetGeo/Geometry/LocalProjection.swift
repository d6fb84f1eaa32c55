import Foundation

/// An equirectangular projection to metres around a reference point.
///
/// Good to a fraction of a percent within a few kilometres of the reference, which is all snapping needs:
/// it only compares candidates near the query point and reports the final distance with haversine.
struct LocalProjection {
    private let origin: GeoCoordinate
    private let metersPerDegreeLatitude: Double
    private let metersPerDegreeLongitude: Double

    init(origin: GeoCoordinate) {
        self.origin = origin
        metersPerDegreeLatitude = GeoCoordinate.earthRadiusMeters * .pi / 180
        metersPerDegreeLongitude = metersPerDegreeLatitude * cos(origin.latitude * .pi / 180)
    }

    /// Planar (east, north) metres from the origin.
    func project(_ point: GeoCoordinate) -> (x: Double, y: Double) {
        ((point.longitude - origin.longitude) * metersPerDegreeLongitude,
         (point.latitude - origin.latitude) * metersPerDegreeLatitude)
    }

    /// The fraction (clamped to 0…1) of the segment `a`→`b` closest to `point`, in the planar approximation.
    func closestFraction(of point: GeoCoordinate, onSegmentFrom a: GeoCoordinate, to b: GeoCoordinate) -> Double {
        let p = project(point)
        let pa = project(a)
        let pb = project(b)
        let dx = pb.x - pa.x
        let dy = pb.y - pa.y
        let lengthSquared = dx * dx + dy * dy
        guard lengthSquared > 0 else { return 0 }
        let t = ((p.x - pa.x) * dx + (p.y - pa.y) * dy) / lengthSquared
        return min(1, max(0, t))
    }
}
