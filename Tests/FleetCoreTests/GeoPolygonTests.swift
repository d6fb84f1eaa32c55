import FleetCore
import Testing

@Suite("GeoPolygon: the containment rule tracking and control share")
struct GeoPolygonTests {
    /// Monaco's port as a concave "U": the basin in the middle is outside.
    let u = GeoPolygon(ring: [[7.420, 43.730], [7.430, 43.730], [7.430, 43.740], [7.427, 43.740], [7.427, 43.733], [7.423, 43.733], [7.423, 43.740], [7.420, 43.740]])

    @Test("Points in the arms are inside, the basin between them and points beyond are outside")
    func concave() {
        #expect(u.problem == nil)
        #expect(u.contains(latitude: 43.738, longitude: 7.421))
        #expect(u.contains(latitude: 43.738, longitude: 7.429))
        #expect(u.contains(latitude: 43.731, longitude: 7.425))
        #expect(!u.contains(latitude: 43.738, longitude: 7.425))
        #expect(!u.contains(latitude: 43.745, longitude: 7.425))
        #expect(!u.contains(latitude: 43.735, longitude: 7.435))
        let bounds = u.bounds
        #expect(bounds.minLatitude == 43.730 && bounds.maxLatitude == 43.740 && bounds.minLongitude == 7.420 && bounds.maxLongitude == 7.430)
    }

    @Test("Rings that cannot be a polygon say why")
    func problems() {
        #expect(GeoPolygon(ring: [[7.4, 43.7], [7.5, 43.7]]).problem?.contains("3 to 10000 positions") == true)
        #expect(GeoPolygon(ring: [[7.4, 43.7], [7.5, 43.7], [7.5]]).problem?.contains("position 2") == true)
        #expect(GeoPolygon(ring: [[7.4, 43.7], [7.5, 43.7], [200, 43.8]]).problem?.contains("within the globe") == true)
        #expect(GeoPolygon(ring: Array(repeating: [7.4, 43.7], count: 10_001)).problem != nil)
    }
}
