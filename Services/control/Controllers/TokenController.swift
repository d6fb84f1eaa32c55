import FleetCore
import FleetService
import Foundation
import Hummingbird

/// API tokens (admin scope): `POST /v1/tokens` (the secret is returned once), `GET /v1/tokens`, `DELETE /v1/tokens/{id}`.
struct TokenController<Tokens: TokenRepository> {
    typealias Context = AppRequestContext

    let tokens: Tokens

    func addRoutes(to group: RouterGroup<Context>) {
        group.post("tokens", use: create)
        group.get("tokens", use: list)
        group.delete("tokens/{id}", use: revoke)
    }

    struct CreateRequest: Decodable {
        var name: String
        var scopes: [String]
        var vehicleID: String?
        var rateLimit: RateLimit?

        enum CodingKeys: String, CodingKey {
            case name, scopes
            case vehicleID = "vehicle_id"
            case rateLimit = "rate_limit"
        }
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
        if let vehicleID = body.vehicleID {
            guard VehicleID.isValid(vehicleID) else { throw HTTPError(.badRequest, message: "vehicle_id is not a valid vehicle id") }
        }
        if let limit = body.rateLimit {
            guard (1...1_000_000).contains(limit.perSecond), (1...1_000_000).contains(limit.burst) else {
                throw HTTPError(.badRequest, message: "rate_limit.per_second and rate_limit.burst must be 1-1000000")
            }
        }
        let spec = TokenSpec(name: name, scopes: scopes, vehicleID: body.vehicleID, rateLimit: body.rateLimit)
        let (secret, info) = try await Self.create(spec, tokens: tokens, context: context)
        return try JSONResponse.response(.created, Created(token: secret, info: info))
    }

    /// Makes a token for `spec` (its secret is returned once, only its hash is stored) with its audit entry.
    static func create(_ spec: TokenSpec, tokens: Tokens, context: Context) async throws -> (secret: String, info: TokenInfo) {
        let secret = TokenSecret.generate()
        let id = TokenSecret.newTokenID()
        var details = "name \(spec.name), scopes \(spec.scopes.map(\.rawValue).joined(separator: ","))"
        if let vehicleID = spec.vehicleID { details += ", vehicle \(vehicleID)" }
        if let limit = spec.rateLimit { details += ", rate limit \(limit.perSecond)/s burst \(limit.burst)" }
        let audit = context.audit("token.create", target: "token:\(id)", details: details)
        return (secret, try await tokens.create(id: id, hash: TokenSecret.hash(secret), spec: spec, audit: audit))
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        _ = try context.require(.admin)
        return try JSONResponse.response(.ok, ["tokens": try await tokens.list()])
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
        return try JSONResponse.response(.ok, Revoked(id: id, revoked: true, alreadyRevoked: !wasActive))
    }
}
