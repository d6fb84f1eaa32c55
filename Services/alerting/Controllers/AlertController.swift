import FleetService
import FleetCore
import Foundation
import Hummingbird

/// `/v1/alerts`: list and filter alerts, acknowledge and resolve them.
struct AlertController<Context: AuthenticatedRequestContext>: Sendable {
    let repository: any AlertRepository
    let signal: WakeSignal
    let metrics: AlertingMetrics

    /// Body of acknowledge and resolve (optional): who did it.
    struct ActorBody: Decodable {
        var by: String?
    }

    var endpoints: RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        routes.get(use: list)
        routes.get(":id", use: show)
        routes.post(":id/ack", use: acknowledge)
        routes.post(":id/resolve", use: resolve)
        return routes
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> AlertList {
        _ = try context.require(.fleetRead)
        var filter = AlertFilter()
        do {
            filter.status = try request.enumeration("status", as: AlertStatus.self)
            filter.severity = try request.enumeration("severity", as: Severity.self)
            if let vehicle = request.query("vehicle_id") {
                guard VehicleID.isValid(vehicle) else { throw invalid("vehicle_id is not a valid vehicle id") }
                filter.vehicleID = vehicle
            }
            filter.ruleID = request.query("rule_id")
            filter.updatedAfter = try request.date("updated_after")
            filter.limit = try request.limit(default: filter.limit, max: 1_000)
        } catch let error as HTTPError {
            metrics.invalidRequest("alerts")
            throw error
        }
        return AlertList(alerts: try await repository.list(filter))
    }

    @Sendable func show(_ request: Request, context: Context) async throws -> AlertResource {
        _ = try context.require(.fleetRead)
        let id = try context.parameters.require("id")
        guard let alert = try await repository.alert(id: id) else { throw HTTPError(.notFound, message: "no alert with id \(id)") }
        return alert
    }

    @Sendable func acknowledge(_ request: Request, context: Context) async throws -> AlertResource {
        _ = try context.require(.alertsWrite)
        let id = try context.parameters.require("id")
        let body = try await decodeActor(request, context: context)
        return try finish(try await repository.acknowledge(id: id, by: body.by), id: id, action: "acknowledged")
    }

    @Sendable func resolve(_ request: Request, context: Context) async throws -> AlertResource {
        _ = try context.require(.alertsWrite)
        let id = try context.parameters.require("id")
        let body = try await decodeActor(request, context: context)
        return try finish(try await repository.resolve(id: id, by: body.by), id: id, action: "resolved")
    }

    private func decodeActor(_ request: Request, context: Context) async throws -> ActorBody {
        let body = try await JSONBody.decode(ActorBody.self, from: request, context: context, empty: ActorBody(by: nil))
        if let by = body.by, by.isEmpty || by.count > 200 { throw invalid("by must be 1-200 characters") }
        return body
    }

    private func finish(_ transition: AlertTransition, id: String, action: String) throws -> AlertResource {
        switch transition {
        case .changed(let alert, let deliveries):
            metrics.alerts(action)
            if deliveries > 0 { signal.fire() }
            return alert
        case .unchanged(let alert):
            return alert
        case .conflict(let message):
            throw HTTPError(.conflict, message: message)
        case .notFound:
            throw HTTPError(.notFound, message: "no alert with id \(id)")
        }
    }

    private func invalid(_ message: String) -> HTTPError {
        metrics.invalidRequest("alerts")
        return HTTPError(.badRequest, message: message)
    }
}
