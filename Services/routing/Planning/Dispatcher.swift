import NIOHTTP1
import CoreMetrics
import AsyncHTTPClient
import FleetCore
import FleetService
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOFoundationCompat

/// Sends each route of a plan to its vehicle as a `follow_route` command through fleet-control's command API (which
/// stores it, publishes it and tracks the vehicle's acknowledgement, as for pause and resume).
struct Dispatcher: Sendable {
    let baseURL: String
    let token: String
    let client: HTTPClient
    let repository: any PlanRepository
    let metrics: RoutingMetrics
    let logger: Logger

    private struct CommandBody: Encodable {
        struct Route: Encodable {
            struct Stop: Encodable {
                var id: String
                var lat: Double
                var lon: Double
                var serviceSeconds: Int

                enum CodingKeys: String, CodingKey {
                    case id, lat, lon
                    case serviceSeconds = "service_s"
                }
            }

            var routeID: String
            var stops: [Stop]

            enum CodingKeys: String, CodingKey {
                case stops
                case routeID = "route_id"
            }
        }

        var action = "follow_route"
        var reason: String
        var ttlSeconds: Int
        var route: Route

        enum CodingKeys: String, CodingKey {
            case action, reason, route
            case ttlSeconds = "ttl_seconds"
        }
    }

    private struct Created: Decodable {
        var id: String
    }

    /// Dispatches every route of plan `planID` not yet sent; answers the plan as stored afterwards.
    func dispatch(planID: UUID) async throws -> Plan {
        guard var plan = try await repository.plan(id: planID) else {
            throw HTTPError(.notFound, message: "No plan \(planID.uuidString.lowercased())")
        }
        guard plan.status == .done else {
            throw HTTPError(.conflict, message: "Plan is \(plan.status.rawValue); only a solved plan can be dispatched")
        }
        guard plan.replacedBy == nil else {
            throw HTTPError(.conflict, message: "Plan was replaced by \(plan.replacedBy ?? ""); dispatch that one")
        }
        let now = TimestampPolicy.millis(from: .now)
        var sent: [String: String] = [:]
        var errors: [Plan.VehicleNote] = []
        for route in plan.routes where route.commandID == nil {
            let remaining = Array(route.stops.dropFirst(route.completedStops))
            guard !remaining.isEmpty else { continue }
            do {
                sent[route.vehicleID] = try await send(route: route, stops: remaining, planID: plan.id, nowMillis: now)
                metrics.dispatches.increment("sent")
            } catch {
                metrics.dispatches.increment("failed")
                errors.append(.init(vehicleID: route.vehicleID, reason: "control_refused", detail: "\(error)"))
                logger.warning("Route not dispatched", metadata: ["plan.id": "\(plan.id)", "vehicle.id": "\(route.vehicleID)", "error": "\(error)"])
            }
        }
        // Merged into the plan as stored now: progress or a replacement may have been recorded meanwhile.
        let commands = sent
        let refusals = errors
        plan = try await repository.modify(id: planID) { stored in
            var merged = stored
            for index in merged.routes.indices {
                if let command = commands[merged.routes[index].vehicleID] { merged.routes[index].commandID = command }
            }
            merged.dispatchErrors = refusals
            if merged.routes.contains(where: { $0.commandID != nil }) { merged.dispatchedAtMillis = merged.dispatchedAtMillis ?? now }
            return merged
        } ?? plan
        return plan
    }

    private func send(route: Plan.VehicleRoute, stops: [Plan.PlannedStop], planID: String, nowMillis: Int64) async throws -> String {
        // Valid until an hour after the planned end, within fleet-control's one-day default maximum.
        let ttl = Int(min(max((route.endMillis - nowMillis) / 1_000 + 3_600, 60), 86_400))
        let body = CommandBody(
            reason: "plan \(planID)", ttlSeconds: ttl,
            route: .init(
                routeID: planID,
                stops: stops.map { stop in
                    .init(
                        id: stop.id, lat: stop.lat, lon: stop.lon,
                        serviceSeconds: Int((stop.departureMillis - stop.serviceStartMillis) / 1_000))
                }))
        let base = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        guard let vehicle = route.vehicleID.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) else {
            throw DispatchError(message: "vehicle id cannot be put in a URL")
        }
        var request = HTTPClientRequest(url: "\(base)/v1/vehicles/\(vehicle)/commands")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Content-Type", value: "application/json")
        // One command per plan and vehicle, however often (or concurrently) the plan is dispatched: fleet-control
        // answers a repeated key with the command it created the first time.
        request.headers.add(name: "Idempotency-Key", value: "route-\(planID)-\(route.vehicleID)")
        request.body = .bytes(ByteBuffer(data: try JSONEncoder().encode(body)))
        let response = try await client.execute(request, timeout: .seconds(10))
        let bytes = try await response.body.collect(upTo: 1024 * 1024)
        guard (200..<300).contains(response.status.code) else {
            throw DispatchError(message: "fleet-control answered \(response.status.code): \(String(buffer: bytes).prefix(300))")
        }
        return try JSONDecoder().decode(Created.self, from: Data(buffer: bytes)).id
    }
}

/// fleet-control did not take a route.
struct DispatchError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
