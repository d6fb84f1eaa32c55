import FleetCore
import Foundation
import Hummingbird

/// The body of `POST /v1/vehicles/{id}/commands` and the command part of `POST /v1/fleet/commands`.
struct CommandRequest: Decodable, Sendable {
    var action: String
    var reason: String?
    var ttlSeconds: Int?
    var speedLimitMetersPerSecond: Double?
    /// The stops of `follow_route`.
    var route: RouteBody?
    // Fleet selection (only for /v1/fleet/commands).
    var vehicleIDs: [String]?
    var tag: String?
    var bbox: BoundingBox?
    var geofence: GeoJSONPolygon?
    var all: Bool?

    enum CodingKeys: String, CodingKey {
        case action, reason, tag, bbox, geofence, all, route
        case ttlSeconds = "ttl_seconds"
        case speedLimitMetersPerSecond = "speed_limit_mps"
        case vehicleIDs = "vehicle_ids"
    }

    /// The validated action, or a 400 explaining what is wrong.
    func validatedAction() throws -> CommandAction {
        guard let kind = CommandAction.Kind(rawValue: action) else {
            let known = CommandAction.Kind.allCases.map(\.rawValue).joined(separator: ", ")
            throw HTTPError(.badRequest, message: "Invalid action \"\(action)\"; expected one of: \(known)")
        }
        let commandAction: CommandAction
        switch kind {
        case .pause: commandAction = .pause
        case .resume: commandAction = .resume
        case .returnToBase: commandAction = .returnToBase
        case .clearSpeedLimit: commandAction = .clearSpeedLimit
        case .setSpeedLimit:
            guard let speedLimitMetersPerSecond else {
                throw HTTPError(.badRequest, message: "Action set_speed_limit needs speed_limit_mps")
            }
            commandAction = .setSpeedLimit(metersPerSecond: speedLimitMetersPerSecond)
        case .followRoute:
            guard let route else {
                throw HTTPError(.badRequest, message: "Action follow_route needs route (route_id and 1-\(FleetLimits.routeStops.upperBound) stops)")
            }
            commandAction = .followRoute(route.instruction)
        }
        if kind != .setSpeedLimit, speedLimitMetersPerSecond != nil {
            throw HTTPError(.badRequest, message: "speed_limit_mps is only valid with action set_speed_limit")
        }
        if kind != .followRoute, route != nil {
            throw HTTPError(.badRequest, message: "route is only valid with action follow_route")
        }
        do throws(ValidationError) {
            // FleetCore's own rules (parameter range, reason length) through a throw-away command.
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            try Command(
                id: .random(), vehicleID: try VehicleID("validation"), action: commandAction, reason: reason,
                issuedAtMillis: now, expiresAtMillis: now + 1
            ).validate()
        } catch {
            throw HTTPError(.badRequest, message: "Invalid \(error.field): \(error.reason)")
        }
        return commandAction
    }

    /// The time-to-live in seconds: the request's, or the default; a 400 outside 1...max.
    func validatedTTL(default defaultTTL: Int, max maxTTL: Int) throws -> Int {
        let ttl = ttlSeconds ?? defaultTTL
        guard (1...maxTTL).contains(ttl) else {
            throw HTTPError(.badRequest, message: "ttl_seconds must be within 1...\(maxTTL) (a command with an expired time-to-live cannot be sent)")
        }
        return ttl
    }
}
