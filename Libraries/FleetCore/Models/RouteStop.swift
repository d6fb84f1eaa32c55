/// One stop of a ``RouteInstruction``: where to go and how long to stand there.
public struct RouteStop: Hashable, Sendable {
    /// The stop's id within its plan, `[A-Za-z0-9_-]{1,64}`. Wire name `id`.
    public var id: String
    /// Latitude in degrees, within ``FleetLimits/latitude``. Wire name `lat`.
    public var latitude: Double
    /// Longitude in degrees, within ``FleetLimits/longitude``. Wire name `lon`.
    public var longitude: Double
    /// Seconds to stand at the stop once reached, within ``FleetLimits/routeServiceSeconds``. Wire name `service_s`.
    public var serviceSeconds: Int

    /// Creates a stop (not validated until ``validate()``).
    public init(id: String, latitude: Double, longitude: Double, serviceSeconds: Int = 0) {
        self.id = id
        self.latitude = latitude
        self.longitude = longitude
        self.serviceSeconds = serviceSeconds
    }

    /// Checks the id, the coordinates and the service time; field names are relative (`id`, `lat`, `lon`, `service_s`).
    public func validate() throws(ValidationError) {
        try Check.routeIdentifier(id, "id")
        try Check.range(latitude, FleetLimits.latitude, "lat")
        try Check.range(longitude, FleetLimits.longitude, "lon")
        try Check.range(serviceSeconds, FleetLimits.routeServiceSeconds, "service_s")
    }
}
