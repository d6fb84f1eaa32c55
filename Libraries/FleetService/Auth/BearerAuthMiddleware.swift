import CoreMetrics
import HTTPTypes
import Hummingbird
import Logging

/// Authenticates `Authorization: Bearer <token>` and applies the token's rate limit; put it in front of `/v1`.
///
/// 401 (with `WWW-Authenticate: Bearer`) for a missing, malformed, unknown, revoked, expired or forged token; 503 when
/// the identity service cannot be asked; 429 with `Retry-After` when the token's bucket is empty. Scope checks (403)
/// are the handlers' (``AuthenticatedRequestContext/require(_:)``), next to the work they guard.
public struct BearerAuthMiddleware<Context: AuthenticatedRequestContext>: RouterMiddleware {
    let authenticator: any TokenAuthenticator
    let limiter: RateLimiter
    let proxies: TrustedProxies
    let realm: String
    let metrics = AuthMetrics.shared

    public init(authenticator: any TokenAuthenticator, limiter: RateLimiter, proxies: TrustedProxies, realm: String) {
        self.authenticator = authenticator
        self.limiter = limiter
        self.proxies = proxies
        self.realm = realm
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.clientAddress = proxies.clientAddress(peer: context.remoteAddress, forwardedFor: request.headers[.xForwardedFor])
        let identity = try await authenticate(request)
        if let retryAfter = limiter.acquire(identity.tokenID, limit: identity.rateLimit) {
            metrics.rateLimited.increment()
            let limit = identity.rateLimit ?? limiter.defaultLimit
            let seconds = max(1, Int(retryAfter.rounded(.up)))
            throw HTTPError(
                .tooManyRequests, headers: [.retryAfter: String(seconds)],
                message: "Rate limit of \(limit.perSecond) requests/s (burst \(limit.burst)) exceeded for token \(identity.tokenID); retry in \(seconds) s"
            )
        }
        context.identity = identity
        context.logger[metadataKey: "token.id"] = .string(identity.tokenID)
        return try await next(request, context)
    }

    /// The caller of `request`, or the 401/503 to answer.
    public func authenticate(_ request: Request) async throws -> Identity {
        do {
            return try await authenticator.authenticate(token: try Self.bearerToken(of: request))
        } catch let failure as AuthenticationFailure {
            metrics.failures.increment(failure.reason.rawValue)
            throw failure.httpError(realm: realm)
        }
    }

    /// The token of `Authorization: Bearer <token>`.
    public static func bearerToken(of request: Request) throws -> String {
        guard let header = request.headers[.authorization] else {
            throw AuthenticationFailure(.missing, "Missing bearer token: send 'Authorization: Bearer <token>'")
        }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        // 8 KiB: far above any real token (an OIDC JWT with many claims is ~2 KiB), far below abuse.
        guard parts.count == 2, parts[0].lowercased() == "bearer", !parts[1].isEmpty, parts[1].utf8.count <= 8192 else {
            throw AuthenticationFailure(.malformed, "Malformed Authorization header: expected 'Bearer <token>'")
        }
        return String(parts[1])
    }
}

extension HTTPField.Name {
    /// `X-Forwarded-For`, made once (not parsed again on every request).
    static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
}
