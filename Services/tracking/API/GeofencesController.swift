import FleetCore
import FleetService
import Foundation
import Hummingbird

/// `/v1/geofences`: GeoJSON Polygon features (outer ring) by id. Vehicles entering and leaving
/// them produce `geofence_enter` / `geofence_exit` events.
struct GeofencesController<Repository: TrackingRepository, Context: AuthenticatedRequestContext>: Sendable {
    let repository: Repository
    let cache: GeofenceCache

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("geofences", use: list)
        group.post("geofences", use: create)
        group.get("geofences/:id", use: get)
        group.put("geofences/:id", use: replace)
        group.delete("geofences/:id", use: delete)
    }

    /// A GeoJSON Feature with a Polygon geometry.
    struct Feature: Codable, ResponseEncodable {
        struct Geometry: Codable {
            var type: String
            var coordinates: [[[Double]]]
        }
        struct Properties: Codable {
            var name: String
        }
        var type: String = "Feature"
        var id: String?
        var properties: Properties
        var geometry: Geometry
    }

    struct FeatureCollection: ResponseEncodable {
        var type = "FeatureCollection"
        var features: [Feature]
    }

    static func feature(_ fence: Geofence) -> Feature {
        Feature(id: fence.id, properties: .init(name: fence.name), geometry: .init(type: "Polygon", coordinates: [fence.ring]))
    }

    private func decode(_ request: Request, context: Context, id: String?) async throws -> Geofence {
        let feature = try await JSONBody.decode(Feature.self, from: request, context: context)
        guard feature.type == "Feature", feature.geometry.type == "Polygon", let ring = feature.geometry.coordinates.first else {
            throw HTTPError(.badRequest, message: "body must be a GeoJSON Feature with a Polygon geometry")
        }
        guard let fenceID = id ?? feature.id else { throw HTTPError(.badRequest, message: "the feature needs an id") }
        let fence = Geofence(id: fenceID, name: feature.properties.name, ring: ring)
        do {
            try fence.validate()
        } catch {
            throw HTTPError(.badRequest, message: error.description)
        }
        return fence
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> FeatureCollection {
        _ = try context.require(.fleetRead)
        return FeatureCollection(features: try await repository.geofences().map(Self.feature))
    }

    @Sendable func create(_ request: Request, context: Context) async throws -> Response {
        _ = try context.require(.geofencesWrite)
        let fence = try await decode(request, context: context, id: nil)
        guard try await repository.upsertGeofence(fence) else {
            throw HTTPError(.conflict, message: "geofence '\(fence.id)' exists; use PUT /v1/geofences/\(fence.id) to replace it")
        }
        try await cache.refresh(from: repository)
        var response = try Self.feature(fence).response(from: request, context: context)
        response.status = .created
        return response
    }

    @Sendable func get(_ request: Request, context: Context) async throws -> Feature {
        _ = try context.require(.fleetRead)
        let id = try context.parameters.require("id")
        guard let fence = try await repository.geofences().first(where: { $0.id == id }) else {
            throw HTTPError(.notFound, message: "unknown geofence '\(id)'")
        }
        return Self.feature(fence)
    }

    @Sendable func replace(_ request: Request, context: Context) async throws -> Feature {
        _ = try context.require(.geofencesWrite)
        let fence = try await decode(request, context: context, id: try context.parameters.require("id"))
        _ = try await repository.upsertGeofence(fence)
        try await cache.refresh(from: repository)
        return Self.feature(fence)
    }

    @Sendable func delete(_ request: Request, context: Context) async throws -> Response {
        _ = try context.require(.geofencesWrite)
        let id = try context.parameters.require("id")
        guard try await repository.deleteGeofence(id: id) else {
            throw HTTPError(.notFound, message: "unknown geofence '\(id)'")
        }
        try await cache.refresh(from: repository)
        return Response(status: .noContent)
    }
}
