import FleetCore
import FleetService
import Hummingbird

/// Vehicles known to the control plane and their tags.
///
/// - `GET /v1/vehicles?tag=&connectivity=&after=&limit=` and `GET /v1/vehicles/{id}` (fleet:read)
/// - `PUT`/`DELETE /v1/vehicles/{id}/tags/{tag}` (commands:write, audited)
/// - `GET /v1/tags` (fleet:read)
struct VehicleController<Vehicles: VehicleRepository> {
    typealias Context = AppRequestContext

    let vehicles: Vehicles
    let positions: PositionCache

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("vehicles", use: list)
        group.get("vehicles/{id}", use: get)
        group.put("vehicles/{id}/tags/{tag}", use: addTag)
        group.delete("vehicles/{id}/tags/{tag}", use: removeTag)
        group.get("tags", use: tags)
    }

    struct Page: Encodable {
        var vehicles: [VehicleRecord]
        var nextAfter: String?
        enum CodingKeys: String, CodingKey {
            case vehicles
            case nextAfter = "next_after"
        }
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        _ = try context.require(.fleetRead)
        let limit = try request.limit(default: 100, max: 1_000)
        let tag = request.query("tag")
        if let tag, !VehicleID.isValid(tag) { throw HTTPError(.badRequest, message: "Invalid tag \"\(tag)\"") }
        let connectivity = try request.enumeration("connectivity", as: Connectivity.self)
        let after = try request.cursor("after")
        let found = try await vehicles.list(tag: tag, connectivity: connectivity, after: after, limit: limit)
        return try JSONResponse.response(.ok, Page(vehicles: found.map(withPosition), nextAfter: found.count == limit ? found.last?.id : nil))
    }

    @Sendable func get(_ request: Request, context: Context) async throws -> Response {
        _ = try context.require(.fleetRead)
        let id = try context.parameters.require("id")
        guard VehicleID.isValid(id), let vehicle = try await vehicles.vehicle(id) else {
            throw HTTPError(.notFound, message: "Unknown vehicle \(id)")
        }
        return try JSONResponse.response(.ok, withPosition(vehicle))
    }

    struct TagChange: Encodable {
        var vehicleID: String
        var tag: String
        var changed: Bool
        enum CodingKeys: String, CodingKey {
            case vehicleID = "vehicle_id"
            case tag, changed
        }
    }

    @Sendable func addTag(_ request: Request, context: Context) async throws -> Response {
        try await changeTag(context: context, add: true)
    }

    @Sendable func removeTag(_ request: Request, context: Context) async throws -> Response {
        try await changeTag(context: context, add: false)
    }

    private func changeTag(context: Context, add: Bool) async throws -> Response {
        _ = try context.require(.commandsWrite)
        let id = try context.parameters.require("id")
        let tag = try context.parameters.require("tag")
        guard VehicleID.isValid(id) else { throw HTTPError(.badRequest, message: "Invalid vehicle id \"\(id)\"") }
        guard VehicleID.isValid(tag) else {
            throw HTTPError(.badRequest, message: "Invalid tag \"\(tag)\": expected 1-64 characters from [A-Za-z0-9._-]")
        }
        let audit = context.audit(add ? "tag.add" : "tag.remove", target: "vehicle:\(id)", details: "tag \(tag)")
        let changed = add
            ? try await vehicles.addTag(tag, to: id, audit: audit)
            : try await vehicles.removeTag(tag, from: id, audit: audit)
        guard let changed else { throw HTTPError(.notFound, message: "Unknown vehicle \(id)") }
        return try JSONResponse.response(.ok, TagChange(vehicleID: id, tag: tag, changed: changed))
    }

    struct TagCount: Encodable {
        var tag: String
        var vehicles: Int
    }

    @Sendable func tags(_ request: Request, context: Context) async throws -> Response {
        _ = try context.require(.fleetRead)
        let counts = try await vehicles.tags().map { TagCount(tag: $0.tag, vehicles: $0.vehicles) }
        return try JSONResponse.response(.ok, ["tags": counts])
    }

    private func withPosition(_ vehicle: VehicleRecord) -> VehicleRecord {
        var vehicle = vehicle
        if let position = positions.position(of: vehicle.id) {
            vehicle.position = .init(lat: position.latitude, lon: position.longitude)
        }
        return vehicle
    }
}
