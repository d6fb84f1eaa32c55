import FleetService
import Hummingbird

/// `/v1/rules`: rules from the API (stored in PostgreSQL); rules from the rules file are listed but read-only.
struct RuleController<Context: AuthenticatedRequestContext>: Sendable {
    let repository: any RuleRepository
    let rules: RuleBook
    let metrics: AlertingMetrics

    var endpoints: RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        routes.get(use: list)
        routes.post(use: create)
        routes.get(":id", use: show)
        routes.put(":id", use: replace)
        routes.delete(":id", use: delete)
        return routes
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> RuleList {
        _ = try context.require(.fleetRead)
        return RuleList(rules: try await repository.all().map { RuleResource(rule: $0.rule, source: $0.source) })
    }

    @Sendable func show(_ request: Request, context: Context) async throws -> RuleResource {
        _ = try context.require(.fleetRead)
        let id = try context.parameters.require("id")
        guard let stored = try await repository.rule(id: id) else { throw HTTPError(.notFound, message: "no rule with id \(id)") }
        return RuleResource(rule: stored.rule, source: stored.source)
    }

    @Sendable func create(_ request: Request, context: Context) async throws -> EditedResponse<RuleResource> {
        _ = try context.require(.alertsWrite)
        let rule = try await decodeRule(request, context: context)
        if try await repository.rule(id: rule.id) != nil {
            throw HTTPError(.conflict, message: "a rule with id \(rule.id) exists; use PUT /v1/rules/\(rule.id) to replace it")
        }
        return try await write(rule)
    }

    @Sendable func replace(_ request: Request, context: Context) async throws -> EditedResponse<RuleResource> {
        _ = try context.require(.alertsWrite)
        let id = try context.parameters.require("id")
        let rule = try await decodeRule(request, context: context)
        guard rule.id == id else { throw invalid("the body's id (\(rule.id)) differs from the path's (\(id))") }
        return try await write(rule)
    }

    @Sendable func delete(_ request: Request, context: Context) async throws -> HTTPResponse.Status {
        _ = try context.require(.alertsWrite)
        let id = try context.parameters.require("id")
        switch try await repository.delete(id: id) {
        case nil: throw HTTPError(.notFound, message: "no rule with id \(id)")
        case false?: throw HTTPError(.conflict, message: "rule \(id) comes from the rules file and cannot be deleted through the API")
        case true?:
            await reload()
            return .noContent
        }
    }

    private func write(_ rule: AlertRule) async throws -> EditedResponse<RuleResource> {
        switch try await repository.put(rule) {
        case .created(let stored):
            await reload()
            return EditedResponse(status: .created, response: RuleResource(rule: stored.rule, source: stored.source))
        case .replaced(let stored):
            await reload()
            return EditedResponse(status: .ok, response: RuleResource(rule: stored.rule, source: stored.source))
        case .readOnly:
            throw HTTPError(.conflict, message: "rule \(rule.id) comes from the rules file and cannot be changed through the API")
        }
    }

    private func reload() async {
        if let all = try? await repository.all() { await rules.replace(with: all.map(\.rule)) }
    }

    private func decodeRule(_ request: Request, context: Context) async throws -> AlertRule {
        let rule: AlertRule
        do {
            rule = try await JSONBody.decode(AlertRule.self, from: request, context: context)
            try rule.validate()
        } catch let error as RuleError {
            throw invalid(error.message)
        } catch let error as HTTPError {
            metrics.invalidRequest("rules")
            throw error
        }
        return rule
    }

    private func invalid(_ message: String) -> HTTPError {
        metrics.invalidRequest("rules")
        return HTTPError(.unprocessableContent, message: message)
    }
}
