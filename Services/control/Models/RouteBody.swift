import FleetCore
import Foundation

/// The `route` of a `follow_route` command as the API takes it, stores it (the `commands.route` JSON column) and returns
/// it: `{"route_id": "...", "stops": [{"id": "...", "lat": 0.0, "lon": 0.0, "service_s": 0}, ...]}`, the same shape as
/// the command's `route` on the wire.
struct RouteBody: Sendable, Codable, Equatable {
    /// One stop; `service_s` defaults to 0 in requests.
    struct Stop: Sendable, Codable, Equatable {
        var id: String
        var lat: Double
        var lon: Double
        var serviceSeconds: Int?

        enum CodingKeys: String, CodingKey {
            case id, lat, lon
            case serviceSeconds = "service_s"
        }
    }

    var routeID: String
    var stops: [Stop]

    enum CodingKeys: String, CodingKey {
        case routeID = "route_id"
        case stops
    }

    /// The body of a route, for storage and responses.
    init(_ route: RouteInstruction) {
        routeID = route.routeID
        stops = route.stops.map { Stop(id: $0.id, lat: $0.latitude, lon: $0.longitude, serviceSeconds: $0.serviceSeconds) }
    }

    /// The route as FleetCore carries it (not validated here).
    var instruction: RouteInstruction {
        RouteInstruction(
            routeID: routeID,
            stops: stops.map { RouteStop(id: $0.id, latitude: $0.lat, longitude: $0.lon, serviceSeconds: $0.serviceSeconds ?? 0) })
    }

    /// The JSON text stored in `commands.route`.
    var storedText: String {
        // Encoding plain strings and numbers cannot fail; an empty object would be refused when read back.
        (try? String(decoding: JSONEncoder().encode(self), as: UTF8.self)) ?? "{}"
    }

    /// Reads `commands.route`; `nil` when absent or not a route.
    static func stored(_ text: String?) -> RouteBody? {
        guard let text else { return nil }
        return try? JSONDecoder().decode(RouteBody.self, from: Data(text.utf8))
    }
}
