import FleetCore
import FleetService
import Foundation
import Hummingbird

/// Vehicle credentials (admin): `POST /v1/vehicles/{id}/credentials` makes the vehicle's broker account and its
/// HTTP token and returns both once; `POST …/credentials/rotate` replaces both; `DELETE …/credentials` deletes the
/// broker account (the vehicle is disconnected at once and cannot reconnect) and revokes its tokens.
///
/// The broker side goes through the dynamic-security plugin (``DynamicSecurityClient``); without a provisioner
/// account configured the endpoints answer 503.
struct CredentialController<Credentials: CredentialRepository> {
    typealias Context = AppRequestContext

    let credentials: Credentials
    let broker: DynamicSecurityClient?
    /// Where vehicles connect, as reported with new credentials.
    let brokerHost: String
    let brokerPort: Int

    func addRoutes(to group: RouterGroup<Context>) {
        group.post("vehicles/{id}/credentials", use: provision)
        group.post("vehicles/{id}/credentials/rotate", use: rotate)
        group.delete("vehicles/{id}/credentials", use: revoke)
    }

    struct ProvisionRequest: Decodable {
        var tags: [String]?
    }

    struct Issued: Encodable {
        struct MQTT: Encodable {
            var host: String
            var port: Int
            var username: String
            var password: String
        }

        var vehicleID: String
        var mqtt: MQTT
        var token: String
        var tokenID: String

        enum CodingKeys: String, CodingKey {
            case mqtt, token
            case vehicleID = "vehicle_id"
            case tokenID = "token_id"
        }
    }

    @Sendable func provision(_ request: Request, context: Context) async throws -> Response {
        _ = try context.require(.admin)
        let (vehicle, broker) = try prerequisites(context)
        let bytes = try await JSONBody.bytes(of: request, context: context)
        let body = bytes.isEmpty ? ProvisionRequest(tags: nil) : try JSONBody.decode(ProvisionRequest.self, from: bytes)
        let tags = Array(Set(body.tags ?? [])).sorted()
        if let bad = tags.first(where: { !VehicleID.isValid($0) }) {
            throw HTTPError(.badRequest, message: "Invalid tag \"\(bad)\": expected 1-64 characters from [A-Za-z0-9._-]")
        }
        guard try await !credentials.isProvisioned(vehicle.rawValue) else {
            throw HTTPError(.conflict, message: "Vehicle \(vehicle) already has credentials; rotate or revoke them")
        }
        let account = VehicleBrokerAccount(vehicle: vehicle)
        guard try await broker.run(account.lookup).first?.error != nil else {
            throw HTTPError(.conflict, message: "The broker already has a client \(vehicle); it was made outside fleet-control")
        }
        let password = Self.password()
        try Self.check(try await broker.run(account.create(password: password, tags: tags)), tolerating: ["createRole", "addRoleACL"])
        let (secret, token) = Self.vehicleToken(vehicle)
        let info: TokenInfo
        do {
            info = try await credentials.provision(
                vehicle: vehicle.rawValue, tags: tags, token: token,
                audit: context.audit("vehicle.provision", target: "vehicle:\(vehicle)", details: tags.isEmpty ? nil : "tags \(tags.joined(separator: ","))"))
        } catch {
            // Nothing is half made: the broker account goes again when its record could not be stored.
            _ = try? await broker.run(account.delete)
            throw error
        }
        return try JSONResponse.response(.created, issued(vehicle, password: password, secret: secret, tokenID: info.id))
    }

    @Sendable func rotate(_ request: Request, context: Context) async throws -> Response {
        _ = try context.require(.admin)
        let (vehicle, broker) = try prerequisites(context)
        guard try await credentials.isProvisioned(vehicle.rawValue) else {
            throw HTTPError(.notFound, message: "Vehicle \(vehicle) has no credentials")
        }
        let account = VehicleBrokerAccount(vehicle: vehicle)
        let password = Self.password()
        try Self.check(try await broker.run(account.rotate(password: password)), tolerating: [])
        let (secret, token) = Self.vehicleToken(vehicle)
        guard let info = try await credentials.rotate(vehicle: vehicle.rawValue, token: token, audit: context.audit("vehicle.rotate", target: "vehicle:\(vehicle)")) else {
            throw HTTPError(.notFound, message: "Vehicle \(vehicle) has no credentials")
        }
        return try JSONResponse.response(.ok, issued(vehicle, password: password, secret: secret, tokenID: info.id))
    }

    struct Revoked: Encodable {
        var vehicleID: String
        var revoked: Bool
        enum CodingKeys: String, CodingKey {
            case revoked
            case vehicleID = "vehicle_id"
        }
    }

    @Sendable func revoke(_ request: Request, context: Context) async throws -> Response {
        _ = try context.require(.admin)
        let (vehicle, broker) = try prerequisites(context)
        let answers = try await broker.run(VehicleBrokerAccount(vehicle: vehicle).delete)
        let brokerHadIt = answers.first?.error == nil
        let hadRecord = try await credentials.revoke(vehicle: vehicle.rawValue, audit: context.audit("vehicle.revoke", target: "vehicle:\(vehicle)"))
        guard brokerHadIt || hadRecord else { throw HTTPError(.notFound, message: "Vehicle \(vehicle) has no credentials") }
        return try JSONResponse.response(.ok, Revoked(vehicleID: vehicle.rawValue, revoked: true))
    }

    private func prerequisites(_ context: Context) throws -> (VehicleID, DynamicSecurityClient) {
        let id = try context.parameters.require("id")
        guard let vehicle = VehicleID(validating: id) else { throw HTTPError(.badRequest, message: "Invalid vehicle id \"\(id)\"") }
        guard let broker else {
            throw HTTPError(
                .serviceUnavailable,
                message: "Vehicle provisioning is not configured: set FLEET_CONTROL_PROVISIONER_USERNAME and FLEET_CONTROL_PROVISIONER_PASSWORD")
        }
        return (vehicle, broker)
    }

    private func issued(_ vehicle: VehicleID, password: String, secret: String, tokenID: String) -> Issued {
        Issued(
            vehicleID: vehicle.rawValue, mqtt: .init(host: brokerHost, port: brokerPort, username: vehicle.rawValue, password: password), token: secret,
            tokenID: tokenID)
    }

    /// Throws 502 when a command failed, except the `tolerated` ones whose failure means "already there".
    static func check(_ answers: [DynamicSecurityClient.Answer], tolerating tolerated: Set<String>) throws {
        if let failed = answers.first(where: { $0.error != nil && !tolerated.contains($0.command) }) {
            throw HTTPError(.badGateway, message: "The broker refused \(failed.command): \(failed.error ?? "")")
        }
    }

    /// 32 random bytes as hex: a password nobody types.
    static func password() -> String {
        var generator = SystemRandomNumberGenerator()
        return TokenSecret.hex((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    /// A token that may send this vehicle's telemetry over HTTP and nothing else.
    static func vehicleToken(_ vehicle: VehicleID) -> (secret: String, token: NewToken) {
        let secret = TokenSecret.generate()
        let spec = TokenSpec(name: "vehicle \(vehicle)", scopes: [.telemetryWrite], vehicleID: vehicle.rawValue, rateLimit: nil)
        return (secret, NewToken(id: TokenSecret.newTokenID(), hash: TokenSecret.hash(secret), spec: spec))
    }
}
