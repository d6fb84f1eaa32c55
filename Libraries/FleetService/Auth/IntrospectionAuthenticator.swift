import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// Checks suite tokens with the identity service (fleet-control's `GET /auth/introspect`, RFC 7662's answer format),
/// presenting the caller's own token, and keeps each answer for ``IdentityCache/acceptedFor``.
///
/// A revoked token therefore stops working here at most that long after the revocation committed. When the identity
/// service cannot be reached the request is refused with 503 (``AuthenticationFailure/Reason/unavailable``): a token
/// is never trusted longer than the cache allows.
public struct IntrospectionAuthenticator: TokenAuthenticator {
    let url: String
    let client: HTTPClient
    let cache: IdentityCache
    let timeout: TimeAmount
    let logger: Logger
    let metrics = AuthMetrics.shared

    public init(url: String, client: HTTPClient, cache: IdentityCache, timeout: TimeAmount = .seconds(2), logger: Logger) {
        self.url = url
        self.client = client
        self.cache = cache
        self.timeout = timeout
        self.logger = logger
    }

    public func authenticate(token: String) async throws -> Identity {
        let key = IdentityCache.key(of: token)
        if let cached = cache.lookup(key) { return try cached.get() }
        let result = try await introspect(token)
        cache.store(key, result)
        return try result.get()
    }

    /// One round trip; a transport failure or an unexpected answer throws ``AuthenticationFailure/Reason/unavailable``
    /// (and is not cached).
    func introspect(_ token: String) async throws -> Result<Identity, AuthenticationFailure> {
        var request = HTTPClientRequest(url: url)
        request.method = .GET
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Accept", value: "application/json")
        let body: ByteBuffer
        let status: UInt
        do {
            let response = try await client.execute(request, timeout: timeout)
            status = response.status.code
            body = try await response.body.collect(upTo: 64 * 1024)
        } catch {
            metrics.introspections.increment("error")
            logger.warning("Identity service unreachable", metadata: ["url": "\(url)", "error": "\(error)"])
            throw AuthenticationFailure(.unavailable, "The identity service is unavailable; retry shortly")
        }
        guard status == 200, let answer = try? JSONDecoder().decode(IntrospectionAnswer.self, from: Data(buffer: body)) else {
            metrics.introspections.increment("error")
            logger.warning("Identity service answered unexpectedly", metadata: ["url": "\(url)", "status": "\(status)"])
            throw AuthenticationFailure(.unavailable, "The identity service is unavailable; retry shortly")
        }
        guard answer.active, let identity = answer.identity else {
            metrics.introspections.increment("inactive")
            let reason = answer.fleetReason.flatMap(AuthenticationFailure.Reason.init(rawValue:)) ?? .unknown
            return .failure(AuthenticationFailure(reason, reason == .revoked ? "Token has been revoked" : "Invalid token"))
        }
        metrics.introspections.increment("active")
        return .success(identity)
    }
}

/// The identity service's answer: RFC 7662 fields plus Fleet's own (`fleet_*`).
public struct IntrospectionAnswer: Codable, Sendable, Equatable {
    public var active: Bool
    /// Space-separated scopes.
    public var scope: String?
    /// The token id.
    public var sub: String?
    /// The token's name.
    public var username: String?
    public var tokenType: String?
    /// Why an inactive token is inactive: `unknown` or `revoked`.
    public var fleetReason: String?
    /// The one vehicle the token speaks for.
    public var fleetVehicleID: String?
    public var fleetRateLimit: RateLimit?

    public init(identity: Identity) {
        active = true
        scope = identity.scopes.sorted().map(\.rawValue).joined(separator: " ")
        sub = identity.tokenID
        username = identity.name
        tokenType = "Bearer"
        fleetVehicleID = identity.vehicleID
        fleetRateLimit = identity.rateLimit
    }

    public init(inactive reason: AuthenticationFailure.Reason) {
        active = false
        fleetReason = reason.rawValue
    }

    /// The identity an active answer describes.
    public var identity: Identity? {
        guard active, let sub else { return nil }
        return Identity(
            tokenID: sub, name: username ?? sub, scopes: Scope.parse(list: scope ?? ""), vehicleID: fleetVehicleID,
            rateLimit: fleetRateLimit)
    }

    enum CodingKeys: String, CodingKey {
        case active, scope, sub, username
        case tokenType = "token_type"
        case fleetReason = "fleet_reason"
        case fleetVehicleID = "fleet_vehicle_id"
        case fleetRateLimit = "fleet_rate_limit"
    }
}
