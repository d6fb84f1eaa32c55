/// The `route` parameter of a `follow_route` ``Command`` in both encodings (validation happens in the caller).
///
/// JSON: `{"route_id": str, "stops": [{"id": str, "lat": num, "lon": num, "service_s": int}, …]}`.
/// Binary: route_id `str` ≤ 64, stops `varint` count (1…200), then per stop id `str` ≤ 64, lat `coord`, lon `coord`,
/// service_s `varint` (≤ 86,400).
extension RouteInstruction {
    func writeJSON(to writer: inout JSONWriter) {
        writer.beginObject("route")
        writer.field("route_id", routeID)
        writer.beginArray("stops")
        for stop in stops {
            writer.beginObject()
            writer.field("id", stop.id)
            writer.field("lat", stop.latitude)
            writer.field("lon", stop.longitude)
            writer.field("service_s", Int64(stop.serviceSeconds))
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
    }

    /// Reads the `route` object (`fields` is that object).
    init(json fields: JSONFields) throws(WireError) {
        let routeID = try fields.string("route_id")
        var stops: [RouteStop] = []
        let elements = try fields.objectArray("stops", maxCount: FleetLimits.routeStops.upperBound)
        stops.reserveCapacity(elements.count)
        for stop in elements {
            let id = try stop.string("id")
            let latitude = try stop.double("lat")
            let longitude = try stop.double("lon")
            let service = try stop.int64("service_s")
            guard let seconds = Int(exactly: service) else {
                throw WireError(.invalidValue, field: stop.fieldPath("service_s"), reason: "must be an integer within the Int range")
            }
            stops.append(RouteStop(id: id, latitude: latitude, longitude: longitude, serviceSeconds: seconds))
        }
        self.init(routeID: routeID, stops: stops)
    }

    func writeBinary(to writer: inout BinaryWriter) {
        writer.string(routeID)
        writer.varint(UInt64(stops.count))
        for stop in stops {
            writer.string(stop.id)
            writer.coordinate(stop.latitude)
            writer.coordinate(stop.longitude)
            writer.varint(UInt64(stop.serviceSeconds))
        }
    }

    /// Reads the route parameter; field paths start with `route.`.
    init(binary reader: inout BinaryReader) throws(WireError) {
        let idBytes = FleetLimits.routeIdentifierLength.upperBound
        let routeID = try reader.string("route.route_id", maxBytes: idBytes)
        let count = try reader.count("route.stops", max: FleetLimits.routeStops.upperBound)
        var stops: [RouteStop] = []
        stops.reserveCapacity(count)
        for index in 0..<count {
            let id = try reader.string("route.stops[\(index)].id", maxBytes: idBytes)
            let latitude = try reader.coordinate("route.stops[\(index)].lat")
            let longitude = try reader.coordinate("route.stops[\(index)].lon")
            let service = try reader.bounded(
                "route.stops[\(index)].service_s", max: UInt64(FleetLimits.routeServiceSeconds.upperBound))
            stops.append(RouteStop(id: id, latitude: latitude, longitude: longitude, serviceSeconds: Int(service)))
        }
        self.init(routeID: routeID, stops: stops)
    }
}
