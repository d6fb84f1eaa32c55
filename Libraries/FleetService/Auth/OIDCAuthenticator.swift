import AsyncHTTPClient
import Foundation
import JWTKit
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import Synchronization

/// Accepts JWTs of an external OpenID Connect provider: signature by a key of its JWKS, `iss`, `aud`, `exp`, `nbf`,
/// and the scopes from a configurable claim.
///
/// Refused: `alg: none` and every symmetric or unknown algorithm, a `kid` the JWKS does not have (the JWKS is fetched
/// again first, at most once per `refetchInterval`, so a provider's key rotation is picked up), a bad signature, a
/// tampered payload, another issuer or audience, an expired or not-yet-valid token.
public final class OIDCAuthenticator: TokenAuthenticator {
    /// Where the provider's tokens are expected to come from and what they must say.
    public struct Settings: Sendable, Equatable {
        public var issuer: String
        public var jwksURL: String
        public var audience: String
        /// The claim holding the scopes: a space-separated string (OAuth's `scope`) or an array of strings.
        public var scopeClaim: String
        /// The claim that names a vehicle the token is restricted to, if any.
        public var vehicleClaim: String
        /// Clock skew allowed on `exp` and `nbf`.
        public var leeway: Duration

        public init(
            issuer: String, jwksURL: String, audience: String = "fleet", scopeClaim: String = "scope",
            vehicleClaim: String = "fleet_vehicle_id", leeway: Duration = .seconds(30)
        ) {
            self.issuer = issuer
            self.jwksURL = jwksURL
            self.audience = audience
            self.scopeClaim = scopeClaim
            self.vehicleClaim = vehicleClaim
            self.leeway = leeway
        }
    }

    /// The asymmetric algorithms accepted (RFC 7518 names).
    static let algorithms: Set<String> = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]

    private struct KeyState {
        var keys = JWTKeyCollection()
        var kids: Set<String> = []
        var fetched: ContinuousClock.Instant?
    }

    public let settings: Settings
    let client: HTTPClient
    let logger: Logger
    let refetchInterval: Duration
    private let state = Mutex(KeyState())

    public init(settings: Settings, client: HTTPClient, refetchInterval: Duration = .seconds(30), logger: Logger) {
        self.settings = settings
        self.client = client
        self.refetchInterval = refetchInterval
        self.logger = logger
    }

    public func authenticate(token: String) async throws -> Identity {
        let header = try Self.header(of: token)
        guard let alg = header.alg, Self.algorithms.contains(alg) else {
            throw AuthenticationFailure(.algorithm, "Token algorithm \(header.alg ?? "(none)") is not accepted")
        }
        guard let kid = header.kid else { throw AuthenticationFailure(.unknownKey, "Token names no key (kid)") }
        let keys = try await keys(containing: kid)
        let claims: ClaimSet
        do {
            claims = try await keys.verify(token, as: ClaimSet.self)
        } catch {
            throw AuthenticationFailure(.signature, "Token signature is invalid")
        }
        return try identity(from: claims.values, now: Date())
    }

    /// The claims of a verified token, checked and turned into an ``Identity``.
    func identity(from claims: [String: ClaimValue], now: Date) throws -> Identity {
        guard claims["iss"]?.string == settings.issuer else {
            throw AuthenticationFailure(.issuer, "Token issuer is not \(settings.issuer)")
        }
        let audiences = claims["aud"]?.strings ?? []
        guard audiences.contains(settings.audience) else {
            throw AuthenticationFailure(.audience, "Token audience does not include \(settings.audience)")
        }
        let leeway = Double(settings.leeway.components.seconds)
        guard let exp = claims["exp"]?.number else { throw AuthenticationFailure(.expired, "Token has no expiry (exp)") }
        guard exp + leeway > now.timeIntervalSince1970 else { throw AuthenticationFailure(.expired, "Token has expired") }
        if let nbf = claims["nbf"]?.number, nbf - leeway > now.timeIntervalSince1970 {
            throw AuthenticationFailure(.notYetValid, "Token is not valid yet")
        }
        guard let subject = claims["sub"]?.string, !subject.isEmpty else { throw AuthenticationFailure(.malformed, "Token has no subject (sub)") }
        let scopes: Set<Scope>
        switch claims[settings.scopeClaim] {
        case .string(let list): scopes = Scope.parse(list: list)
        case .array(let items): scopes = Set(items.compactMap { $0.string.flatMap(Scope.init(rawValue:)) })
        default: scopes = []
        }
        return Identity(tokenID: "oidc:\(subject)", name: claims["name"]?.string ?? subject, scopes: scopes, vehicleID: claims[settings.vehicleClaim]?.string)
    }

    /// The key collection, fetched again when it lacks `kid` (at most once per ``refetchInterval``).
    func keys(containing kid: String) async throws -> JWTKeyCollection {
        let (current, known, stale) = state.withLock { s in
            (s.keys, s.kids.contains(kid), s.fetched.map { .now - $0 >= refetchInterval } ?? true)
        }
        if known { return current }
        guard stale else { throw AuthenticationFailure(.unknownKey, "Token key \(kid) is not in the provider's key set") }
        let jwks = try await fetchJWKS()
        let fresh = JWTKeyCollection()
        var kids: Set<String> = []
        for key in jwks.keys {
            guard let id = key.keyIdentifier?.string else { continue }
            do {
                try await fresh.add(jwk: key)
                kids.insert(id)
            } catch {
                logger.warning("Ignoring a key of the provider's JWKS", metadata: ["kid": "\(id)", "error": "\(error)"])
            }
        }
        state.withLock { s in
            s.keys = fresh
            s.kids = kids
            s.fetched = .now
        }
        guard kids.contains(kid) else { throw AuthenticationFailure(.unknownKey, "Token key \(kid) is not in the provider's key set") }
        return fresh
    }

    func fetchJWKS() async throws -> JWKS {
        do {
            var request = HTTPClientRequest(url: settings.jwksURL)
            request.headers.add(name: "Accept", value: "application/json")
            let response = try await client.execute(request, timeout: .seconds(5))
            guard response.status.code == 200 else { throw AuthenticationFailure(.unavailable, "JWKS answered \(response.status.code)") }
            let body = try await response.body.collect(upTo: 1 << 20)
            return try JSONDecoder().decode(JWKS.self, from: Data(buffer: body))
        } catch {
            state.withLock { $0.fetched = .now }
            logger.warning("Could not fetch the identity provider's keys", metadata: ["url": "\(settings.jwksURL)", "error": "\(error)"])
            throw AuthenticationFailure(.unavailable, "The identity provider's keys could not be fetched; retry shortly")
        }
    }

    struct Header: Decodable {
        var alg: String?
        var kid: String?
    }

    static func header(of token: String) throws -> Header {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let data = Data(base64URL: String(parts[0])), let header = try? JSONDecoder().decode(Header.self, from: data) else {
            throw AuthenticationFailure(.malformed, "Token is not a well-formed JWT")
        }
        return header
    }
}

/// Every claim of a token, whatever its name.
struct ClaimSet: JWTPayload {
    var values: [String: ClaimValue]

    init(from decoder: any Decoder) throws {
        values = try decoder.singleValueContainer().decode([String: ClaimValue].self)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(values)
    }

    // Claims are checked by OIDCAuthenticator, against its settings.
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// A JSON value of a claim.
enum ClaimValue: Codable, Sendable, Equatable {
    case string(String), number(Double), bool(Bool), array([ClaimValue]), object([String: ClaimValue]), null

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([ClaimValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: ClaimValue].self)) }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let v): try container.encode(v)
        case .number(let v): try container.encode(v)
        case .bool(let v): try container.encode(v)
        case .array(let v): try container.encode(v)
        case .object(let v): try container.encode(v)
        case .null: try container.encodeNil()
        }
    }

    var string: String? { if case .string(let v) = self { v } else { nil } }
    var number: Double? { if case .number(let v) = self { v } else { nil } }
    /// A string, or the strings of an array (`aud` may be either).
    var strings: [String] {
        switch self {
        case .string(let v): [v]
        case .array(let items): items.compactMap(\.string)
        default: []
        }
    }
}

extension Data {
    init?(base64URL text: String) {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.utf8.count % 4 != 0 { base64 += "=" }
        self.init(base64Encoded: base64)
    }
}
