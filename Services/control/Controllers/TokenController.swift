import FleetService
import Foundation
import Hummingbird

/// API tokens (admin scope): `POST /v1/tokens` (the secret is returned once), `GET /v1/tokens`, `DELETE /v1/tokens/{id}`.
struct TokenController<Tokens: TokenRepository> {
    typealias Context = ControlRequestContext

    let tokens: Tokens

    func addRoutes(to group: RouterGroup<Context>) {
        group.post("tokens", use: create)
        group.get("tokens", use: list)
        group.delete("tokens/{id}", use: revoke)
    }

    struct CreateRequest: Decodable {
        var name: String
        var scopes: [String]
    }

    struct Created: Encodable {
        var token: String
        var info: TokenInfo

        func encode(to encoder: any Encoder) throws {
            try info.encode(to: encoder)
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(token, forKey: .token)
        }

        enum Key: String, CodingKey { case token }
    }

    @Sendable func create(_ request: Request, context: Context) async throws -> Response {
        _ = try context.require(.admin)
        let body = try JSONBody.decode(CreateRequest.self, from: try await JSONBody.bytes(of: request, context: context))
        let name = body.name.trimmingCharacters(in: .whitespaces)
        guard (1...128).contains(name.count) else { throw HTTPError(.badRequest, message: "name must be 1-128 characters") }
        guard !body.scopes.isEmpty else { throw HTTPError(.badRequest, message: "scopes must not be empty") }
        var scopes: [Scope] = []
        for raw in body.scopes {
            guard let scope = Scope(rawValue: raw) else {
                throw HTTPError(.badRequest, message: "Unknown scope \"\(raw)\"; expected \(Scope.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            if !scopes.contains(scope) { scopes.append(scope) }
        }
        scopes.sort()
        let secret = TokenSecret.generate()
        let id = TokenSecret.newTokenID()
        let audit = context.audit("token.create", target: "token:\(id)", details: "name \(name), scopes \(scopes.map(\.rawValue).joined(separator: ","))")
        let info = try await tokens.create(id: id, name: name, hash: TokenSecret.hash(secret), scopes: scopes, audit: audit)
        return try ControlJSON.response(.created, Created(token: secret, info: info))
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        _ = try context.require(.admin)
        return try ControlJSON.response(.ok, ["tokens": try await tokens.list()])
    }

    struct Revoked: Encodable {
        var id: String
        var revoked: Bool
        var alreadyRevoked: Bool
        enum CodingKeys: String, CodingKey {
            case id, revoked
            case alreadyRevoked = "already_revoked"
        }
    }

    @Sendable func revoke(_ request: Request, context: Context) async throws -> Response {
        _ = try context.require(.admin)
        let id = try context.parameters.require("id")
        guard let wasActive = try await tokens.revoke(id: id, audit: context.audit("token.revoke", target: "token:\(id)")) else {
            throw HTTPError(.notFound, message: "Unknown token \(id)")
        }
        return try ControlJSON.response(.ok, Revoked(id: id, revoked: true, alreadyRevoked: !wasActive))
    }
}
