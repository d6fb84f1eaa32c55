import FleetService
import FleetCore
import Foundation
import Hummingbird

/// `/v1/webhooks`: subscriptions, secret rotation, test pings, delivery history, dead-letter replay.
struct WebhookController<Context: AuthenticatedRequestContext>: Sendable {
    let repository: any WebhookRepository
    let policy: DestinationPolicy
    let signal: WakeSignal
    let metrics: AlertingMetrics


    /// Create and update body.
    struct Body: Decodable {
        var url: String?
        var description: String?
        var eventTypes: [String]?
        var minSeverity: String?
        var headers: [String: String]?
        var enabled: Bool?

        enum CodingKeys: String, CodingKey {
            case url, description, headers, enabled
            case eventTypes = "event_types"
            case minSeverity = "min_severity"
        }
    }

    /// Replay body (optional): specific delivery ids; absent replays every dead letter.
    struct ReplayBody: Decodable {
        var deliveryIDs: [String]?
        enum CodingKeys: String, CodingKey { case deliveryIDs = "delivery_ids" }
    }

    /// Replay response.
    struct ReplayResult: ResponseEncodable {
        var replayed: Int
    }

    var endpoints: RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        routes.get(use: list)
        routes.post(use: create)
        routes.get(":id", use: show)
        routes.patch(":id", use: update)
        routes.delete(":id", use: delete)
        routes.post(":id/rotate", use: rotate)
        routes.post(":id/test", use: test)
        routes.get(":id/deliveries", use: deliveries)
        routes.get(":id/deliveries/:delivery", use: delivery)
        routes.post(":id/deliveries/:delivery/replay", use: replayOne)
        routes.post(":id/replay", use: replay)
        return routes
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> WebhookList {
        _ = try context.require(.webhooksAdmin)
        return WebhookList(webhooks: try await repository.list())
    }

    @Sendable func create(_ request: Request, context: Context) async throws -> EditedResponse<WebhookResource> {
        _ = try context.require(.webhooksAdmin)
        let body = try await JSONBody.decode(Body.self, from: request, context: context)
        guard body.url != nil else { throw invalid(.badRequest, "url is required") }
        let changes = try validate(body)
        let webhook = try await repository.create(changes, secret: WebhookSigner.generateSecret())
        return EditedResponse(status: .created, response: webhook)
    }

    @Sendable func show(_ request: Request, context: Context) async throws -> WebhookResource {
        _ = try context.require(.webhooksAdmin)
        let id = try context.parameters.require("id")
        guard let webhook = try await repository.webhook(id: id) else { throw notFound(id) }
        return webhook
    }

    @Sendable func update(_ request: Request, context: Context) async throws -> WebhookResource {
        _ = try context.require(.webhooksAdmin)
        let id = try context.parameters.require("id")
        let body = try await JSONBody.decode(Body.self, from: request, context: context)
        guard let webhook = try await repository.update(id: id, try validate(body)) else { throw notFound(id) }
        if body.enabled == true { signal.fire() }
        return webhook
    }

    @Sendable func delete(_ request: Request, context: Context) async throws -> HTTPResponse.Status {
        _ = try context.require(.webhooksAdmin)
        let id = try context.parameters.require("id")
        guard try await repository.delete(id: id) else { throw notFound(id) }
        return .noContent
    }

    @Sendable func rotate(_ request: Request, context: Context) async throws -> WebhookResource {
        _ = try context.require(.webhooksAdmin)
        let id = try context.parameters.require("id")
        guard let webhook = try await repository.rotateSecret(id: id, secret: WebhookSigner.generateSecret()) else { throw notFound(id) }
        return webhook
    }

    @Sendable func test(_ request: Request, context: Context) async throws -> EditedResponse<DeliveryResource> {
        _ = try context.require(.webhooksAdmin)
        let id = try context.parameters.require("id")
        guard let delivery = try await repository.enqueuePing(id: id) else { throw notFound(id) }
        signal.fire()
        return EditedResponse(status: .accepted, response: delivery)
    }

    @Sendable func deliveries(_ request: Request, context: Context) async throws -> DeliveryList {
        _ = try context.require(.webhooksAdmin)
        let id = try context.parameters.require("id")
        let status = request.query("status")
        if let status, !["pending", "delivering", "delivered", "dead"].contains(status) {
            throw invalid(.badRequest, "status must be pending, delivering, delivered or dead")
        }
        let limit: Int
        do {
            limit = try request.limit(default: 50, max: 1_000)
        } catch {
            throw invalid(.badRequest, "limit must be 1...1000")
        }
        guard try await repository.webhook(id: id) != nil else { throw notFound(id) }
        return DeliveryList(deliveries: try await repository.deliveries(webhookID: id, status: status, limit: limit))
    }

    @Sendable func delivery(_ request: Request, context: Context) async throws -> DeliveryResource {
        _ = try context.require(.webhooksAdmin)
        let id = try context.parameters.require("id")
        let deliveryID = try context.parameters.require("delivery")
        guard let delivery = try await repository.delivery(webhookID: id, id: deliveryID) else {
            throw HTTPError(.notFound, message: "webhook \(id) has no delivery \(deliveryID)")
        }
        return delivery
    }

    @Sendable func replayOne(_ request: Request, context: Context) async throws -> ReplayResult {
        _ = try context.require(.webhooksAdmin)
        let id = try context.parameters.require("id")
        let deliveryID = try context.parameters.require("delivery")
        guard let delivery = try await repository.delivery(webhookID: id, id: deliveryID) else {
            throw HTTPError(.notFound, message: "webhook \(id) has no delivery \(deliveryID)")
        }
        guard delivery.status == "dead" || delivery.status == "delivered" else {
            throw HTTPError(.conflict, message: "delivery \(deliveryID) is \(delivery.status); only dead or delivered messages are replayed")
        }
        let count = try await repository.replay(webhookID: id, ids: [deliveryID])
        signal.fire()
        return ReplayResult(replayed: count)
    }

    @Sendable func replay(_ request: Request, context: Context) async throws -> ReplayResult {
        _ = try context.require(.webhooksAdmin)
        let id = try context.parameters.require("id")
        let body = try await JSONBody.decode(ReplayBody.self, from: request, context: context, empty: ReplayBody(deliveryIDs: nil))
        guard try await repository.webhook(id: id) != nil else { throw notFound(id) }
        if let ids = body.deliveryIDs, ids.isEmpty || ids.count > 10_000 { throw invalid(.badRequest, "delivery_ids must list 1-10000 ids") }
        let count = try await repository.replay(webhookID: id, ids: body.deliveryIDs)
        if count > 0 { signal.fire() }
        return ReplayResult(replayed: count)
    }

    /// Checks every present field; the URL is resolved and refused if it points at a blocked range.
    func validate(_ body: Body) throws -> WebhookChanges {
        if let url = body.url {
            do {
                try policy.check(url)
            } catch {
                throw invalid(.unprocessableContent, error.reason)
            }
        }
        if let description = body.description, description.count > 500 { throw invalid(.badRequest, "description must be at most 500 characters") }
        if let types = body.eventTypes {
            for type in types where !WebhookFields.eventTypes.contains(type) {
                throw invalid(.badRequest, "unknown event type \"\(type)\" (known: \(WebhookFields.eventTypes.joined(separator: ", ")))")
            }
        }
        if let severity = body.minSeverity, Severity(rawValue: severity) == nil {
            throw invalid(.badRequest, "min_severity must be info, warning or critical")
        }
        if let headers = body.headers {
            guard headers.count <= 20 else { throw invalid(.badRequest, "at most 20 custom headers") }
            for (name, value) in headers {
                let valid = !name.isEmpty && name.count <= 64
                    && name.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) && $0.isASCII || $0 == "-" || $0 == "_" }
                guard valid else { throw invalid(.badRequest, "header name \"\(name)\" is not a valid token") }
                guard !WebhookFields.reservedHeaders.contains(name.lowercased()) else {
                    throw invalid(.badRequest, "header \(name) is set by the service and cannot be overridden")
                }
                guard value.count <= 1_024, !value.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) else {
                    throw invalid(.badRequest, "header \(name) has an invalid value (at most 1024 characters, no line breaks)")
                }
            }
        }
        return WebhookChanges(
            url: body.url, description: body.description, eventTypes: body.eventTypes, minSeverity: body.minSeverity,
            headers: body.headers, enabled: body.enabled)
    }

    private func notFound(_ id: String) -> HTTPError { HTTPError(.notFound, message: "no webhook with id \(id)") }

    private func invalid(_ status: HTTPResponse.Status, _ message: String) -> HTTPError {
        metrics.invalidRequest("webhooks")
        return HTTPError(status, message: message)
    }
}
