/// A WGS 84 position fix.
public struct Position: Hashable, Sendable {
    /// Latitude in degrees, within ``FleetLimits/latitude``. Wire name `lat`.
    public var latitude: Double
    /// Longitude in degrees, within ``FleetLimits/longitude``. Wire name `lon`.
    public var longitude: Double
    /// Horizontal accuracy in metres, if the receiver reports it. Wire name `accuracy_m`.
    public var accuracyMeters: Double?

    /// Creates a position (not validated until ``validate()``).
    public init(latitude: Double, longitude: Double, accuracyMeters: Double? = nil) {
        self.latitude = latitude
        self.longitude = longitude
        self.accuracyMeters = accuracyMeters
    }

    /// Checks every field against ``FleetLimits``; field names are relative (`lat`, `lon`, `accuracy_m`).
    public func validate() throws(ValidationError) {
        try Check.range(latitude, FleetLimits.latitude, "lat")
        try Check.range(longitude, FleetLimits.longitude, "lon")
        if let accuracyMeters { try Check.range(accuracyMeters, FleetLimits.accuracyMeters, "accuracy_m") }
    }
}
