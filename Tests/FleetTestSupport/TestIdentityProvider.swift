import Configuration
import FleetService
import Foundation
import Hummingbird
import JWTKit
import Logging
import NIOCore
import ServiceLifecycle

/// An OpenID Connect provider for tests: a fresh ES256 key pair, its JWKS served on a free loopback port, and tokens
/// signed with it (or deliberately forged).
///
/// Services under test point `fleet.auth.oidc.*` at it (``configuration``) and accept its tokens exactly as they would
/// a real provider's.
public struct TestIdentityProvider: Sendable {
    public static let issuer = "https://idp.fleet.test"
    public static let audience = "fleet"
    public static let keyID = "test-key-1"

    /// The JWKS address.
    public let jwksURL: String
    let keys: JWTKeyCollection
    /// A second key pair the JWKS does not publish (for "wrong key" forgeries), under the same and another key id.
    let strangerKeys: JWTKeyCollection

    /// The configuration values that make a service trust this provider.
    public var configuration: [String: String] {
        ["fleet.auth.oidc.issuer": Self.issuer, "fleet.auth.oidc.jwksUrl": jwksURL, "fleet.auth.oidc.audience": Self.audience]
    }

    /// ``configuration`` as configuration values, to merge into a service's test values.
    public var configurationValues: [AbsoluteConfigKey: ConfigValue] {
        configuration.reduce(into: [:]) { $0[AbsoluteConfigKey(stringLiteral: $1.key)] = .init(.string($1.value), isSecret: false) }
    }

    /// A token with these scopes (space-separated `scope` claim), valid for `lifetime`.
    public func token(
        scopes: [Scope], subject: String = "tester", vehicleID: String? = nil, audience: String = Self.audience, issuer: String = Self.issuer,
        lifetime: TimeInterval = 300, notBefore: Date? = nil
    ) async throws -> String {
        try await keys.sign(claims(scopes: scopes, subject: subject, vehicleID: vehicleID, audience: audience, issuer: issuer, lifetime: lifetime, notBefore: notBefore), kid: JWKIdentifier(string: Self.keyID))
    }

    /// A token for every scope.
    public func adminToken() async throws -> String { try await token(scopes: [.admin]) }

    /// A token signed by a key the JWKS does not publish, claiming the published key's id (or `kid`).
    public func forgedToken(scopes: [Scope], kid: String = Self.keyID) async throws -> String {
        try await strangerKeys.sign(claims(scopes: scopes, subject: "forger", vehicleID: nil, audience: Self.audience, issuer: Self.issuer, lifetime: 300, notBefore: nil), kid: JWKIdentifier(string: kid))
    }

    func claims(scopes: [Scope], subject: String, vehicleID: String?, audience: String, issuer: String, lifetime: TimeInterval, notBefore: Date?) -> TestClaims {
        TestClaims(
            iss: issuer, sub: subject, aud: audience, exp: Int(Date().timeIntervalSince1970 + lifetime), iat: Int(Date().timeIntervalSince1970),
            nbf: notBefore.map { Int($0.timeIntervalSince1970) }, scope: scopes.map(\.rawValue).joined(separator: " "), fleet_vehicle_id: vehicleID)
    }

    /// Serves the JWKS for the duration of `body`.
    public static func with<Result: Sendable>(_ body: (TestIdentityProvider) async throws -> Result) async throws -> Result {
        let key = ES256PrivateKey()
        let keys = JWTKeyCollection()
        await keys.add(ecdsa: key, kid: JWKIdentifier(string: keyID))
        let stranger = ES256PrivateKey()
        let strangerKeys = JWTKeyCollection()
        await strangerKeys.add(ecdsa: stranger, kid: JWKIdentifier(string: keyID))
        await strangerKeys.add(ecdsa: stranger, kid: JWKIdentifier(string: "unknown-key"))
        guard let parameters = key.publicKey.parameters else { throw TestIdentityProviderError(description: "no key parameters") }
        let jwk = JWK.ecdsa(.es256, identifier: JWKIdentifier(string: keyID), x: parameters.x, y: parameters.y, curve: .p256)
        let jwks = String(decoding: try JSONEncoder().encode(JWKS(keys: [jwk])), as: UTF8.self)

        let router = Router()
        router.get(".well-known/jwks.json") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: jwks)))
        }
        var logger = Logger(label: "fleet.test-identity-provider")
        logger.logLevel = .error
        let (running, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) }, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask {
                defer { continuation.finish() }
                try await group.run()
            }
            var iterator = running.makeAsyncIterator()
            guard let port = await iterator.next() else {
                try await tasks.waitForAll()
                throw TestIdentityProviderError(description: "the test identity provider could not start")
            }
            let provider = TestIdentityProvider(jwksURL: "http://127.0.0.1:\(port)/.well-known/jwks.json", keys: keys, strangerKeys: strangerKeys)
            do {
                let result = try await body(provider)
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return result
            } catch {
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
        }
    }
}

struct TestClaims: JWTPayload {
    var iss: String
    var sub: String
    var aud: String
    var exp: Int
    var iat: Int
    var nbf: Int?
    var scope: String
    var fleet_vehicle_id: String?

    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

struct TestIdentityProviderError: Error, CustomStringConvertible {
    var description: String
}
