/// An OpenStreetMap node position in the format's own fixed-point units (1e-7 degrees).
///
/// Fixed point keeps PBF and XML readings of the same data bit-identical.
public struct OSMNode: Hashable, Sendable {
    /// OSM node id.
    public var id: Int64
    /// Latitude in units of 1e-7 degrees.
    public var latitudeE7: Int32
    /// Longitude in units of 1e-7 degrees.
    public var longitudeE7: Int32

    /// Creates a node.
    public init(id: Int64, latitudeE7: Int32, longitudeE7: Int32) {
        self.id = id
        self.latitudeE7 = latitudeE7
        self.longitudeE7 = longitudeE7
    }

    /// The position in degrees.
    public var coordinate: GeoCoordinate {
        GeoCoordinate(latitudeE7: latitudeE7, longitudeE7: longitudeE7)
    }
}
