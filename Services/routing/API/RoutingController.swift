import CoreMetrics
import FleetCore
import FleetGeo
import FleetService
import Foundation
import Hummingbird

/// Plans, matrices and traffic.
///
/// - `POST /v1/routes/optimize` (`routes:write`): 200 with the plan, or 202 with a queued plan to poll.
/// - `GET /v1/routes/{id}` (`fleet:read`): the plan, with progress once dispatched.
/// - `POST /v1/routes/{id}/dispatch` (`routes:write`): each route to its vehicle through fleet-control.
/// - `POST /v1/matrix` (`fleet:read`): travel times and distances between points.
/// - `GET /v1/traffic/jams` (`fleet:read`): jams in force.
struct RoutingController {
    typealias Context = AppRequestContext

    let plans: PlanService
    let jobs: PlanJobs
    let dispatcher: Dispatcher?
    let network: RoadNetwork
    let limits: PlanningLimits
    let metrics: RoutingMetrics

    func addRoutes(to group: RouterGroup<Context>) {
        group.post("routes/optimize", use: optimize)
        group.get("routes/{id}", use: plan)
        group.post("routes/{id}/dispatch", use: dispatch)
        group.post("matrix", use: matrix)
        group.get("traffic/jams", use: jams)
    }

    @Sendable func optimize(_ request: Request, context: Context) async throws -> Response {
        _ = try context.require(.routesWrite)
        let body = try await JSONBody.decode(PlanRequest.self, from: request, context: context)
        try body.validate(limits: limits)
        if plans.isAsynchronous(body) {
            let queued = try await plans.enqueue(body)
            jobs.submit(queued, request: body)
            var headers = HTTPFields()
            headers[.location] = "/v1/routes/\(queued.id)"
            return JSONResponse.response(.accepted, body: try JSONResponse.string(queued), headers: headers)
        }
        return try JSONResponse.response(.ok, try await plans.solveNow(body))
    }

    @Sendable func plan(_ request: Request, context: Context) async throws -> Response {
        _ = try context.require(.fleetRead)
        let id = try Self.planID(context)
        guard let plan = try await plans.repository.plan(id: id) else {
            throw HTTPError(.notFound, message: "No plan \(id.uuidString.lowercased())")
        }
        return try JSONResponse.response(.ok, plan)
    }

    @Sendable func dispatch(_ request: Request, context: Context) async throws -> Response {
        _ = try context.require(.routesWrite)
        let id = try Self.planID(context)
        guard let dispatcher else {
            throw HTTPError(.serviceUnavailable, message: "Dispatch is not configured (FLEET_ROUTING_CONTROL_URL/_TOKEN)")
        }
        return try JSONResponse.response(.ok, try await dispatcher.dispatch(planID: id))
    }

    /// `POST /v1/matrix` body.
    struct MatrixRequest: Codable {
        var sources: [PlanRequest.Point]
        var destinations: [PlanRequest.Point]?
        var useTraffic: Bool?

        enum CodingKeys: String, CodingKey {
            case sources, destinations
            case useTraffic = "use_traffic"
        }
    }

    /// `POST /v1/matrix` answer: `durations_s[i][j]` and `distances_m[i][j]` from source i to destination j (null when
    /// the roads do not connect them), and where each point was placed on the roads.
    struct MatrixResponse: Codable {
        struct Snapped: Codable {
            var lat: Double
            var lon: Double
            var distanceMeters: Double

            enum CodingKeys: String, CodingKey {
                case lat, lon
                case distanceMeters = "distance_m"
            }
        }

        var durations: [[Double?]]
        var distances: [[Double?]]
        var sources: [Snapped]
        var destinations: [Snapped]
        var trafficAtMillis: Int64?

        enum CodingKeys: String, CodingKey {
            case sources, destinations
            case durations = "durations_s"
            case distances = "distances_m"
            case trafficAtMillis = "traffic_at_ms"
        }
    }

    /// Most points on either side of a matrix.
    static let maxMatrixSide = 1_000

    @Sendable func matrix(_ request: Request, context: Context) async throws -> Response {
        _ = try context.require(.fleetRead)
        let body = try await JSONBody.decode(MatrixRequest.self, from: request, context: context)
        let destinations = body.destinations ?? body.sources
        guard (1...Self.maxMatrixSide).contains(body.sources.count), (1...Self.maxMatrixSide).contains(destinations.count) else {
            throw HTTPError(.badRequest, message: "sources, destinations: give 1 to \(Self.maxMatrixSide) points each")
        }
        func snap(_ points: [PlanRequest.Point], field: String) throws -> [Waypoint] {
            try points.enumerated().map { index, point in
                guard point.lat.isFinite, point.lon.isFinite, abs(point.lat) <= 90, abs(point.lon) <= 180 else {
                    throw HTTPError(.badRequest, message: "\(field)[\(index)]: lat must be in [-90, 90] and lon in [-180, 180]")
                }
                guard let waypoint = network.waypoint(
                    near: GeoCoordinate(latitude: point.lat, longitude: point.lon), within: limits.snapRadiusMeters)
                else {
                    throw HTTPError(
                        .unprocessableContent, message: "\(field)[\(index)]: more than \(Int(limits.snapRadiusMeters)) m from a drivable road")
                }
                return waypoint
            }
        }
        let sources = try snap(body.sources, field: "sources")
        let targets = try snap(destinations, field: "destinations")
        let useTraffic = body.useTraffic ?? true
        let hierarchy = useTraffic ? network.hierarchy : network.freeFlow
        let matrix = hierarchy.matrix(from: sources, to: targets)
        metrics.matrices.increment()
        metrics.matrixCells.increment(by: sources.count * targets.count)
        func snapped(_ waypoints: [Waypoint], _ points: [PlanRequest.Point]) -> [MatrixResponse.Snapped] {
            zip(waypoints, points).map { waypoint, point in
                MatrixResponse.Snapped(
                    lat: waypoint.coordinate.latitude, lon: waypoint.coordinate.longitude,
                    distanceMeters: (waypoint.coordinate.distance(to: GeoCoordinate(latitude: point.lat, longitude: point.lon)) * 10).rounded() / 10)
            }
        }
        let refreshed = network.refreshedMillis
        let response = MatrixResponse(
            durations: (0..<sources.count).map { i in (0..<targets.count).map { j in matrix.duration(from: i, to: j).map { ($0 * 10).rounded() / 10 } } },
            distances: (0..<sources.count).map { i in (0..<targets.count).map { j in matrix.distance(from: i, to: j).map { $0.rounded() } } },
            sources: snapped(sources, body.sources), destinations: snapped(targets, destinations),
            trafficAtMillis: useTraffic && refreshed > 0 ? refreshed : nil)
        return try JSONResponse.response(.ok, response)
    }

    /// `GET /v1/traffic/jams` answer.
    struct JamsResponse: Codable {
        var jams: [JamRecord]
    }

    @Sendable func jams(_ request: Request, context: Context) async throws -> Response {
        _ = try context.require(.fleetRead)
        return try JSONResponse.response(.ok, JamsResponse(jams: try await plans.repository.openJams()))
    }

    static func planID(_ context: Context) throws -> UUID {
        guard let text = context.parameters.get("id"), let id = UUID(uuidString: text) else {
            throw HTTPError(.badRequest, message: "id: must be a plan id (UUID)")
        }
        return id
    }
}
