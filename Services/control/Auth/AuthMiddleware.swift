import HTTPTypes
import Logging
import Hummingbird

/// Authenticates `Authorization: Bearer <token>` against the stored hashes and applies the per-token rate limit.
///
/// 401 for a missing, malformed, unknown or revoked token (with `WWW-Authenticate: Bearer`), 429 with
/// `Retry-After` when the token's bucket is empty. Scope checks (403) happen in the controllers.
struct AuthMiddleware<Repository: TokenRepository>: RouterMiddleware {
    typealias Context = ControlRequestContext

    let tokens: Repository
    let limiter: RateLimiter
    let metrics: ControlMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else {
            throw unauthorized("Missing bearer token: send 'Authorization: Bearer <token>'", reason: "missing")
        }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer", !parts[1].isEmpty, parts[1].utf8.count <= 512 else {
            throw unauthorized("Malformed Authorization header: expected 'Bearer <token>'", reason: "malformed")
        }
        guard let found = try await tokens.lookup(hash: TokenSecret.hash(String(parts[1]))) else {
            throw unauthorized("Invalid token", reason: "unknown")
        }
        guard !found.revoked else {
            throw unauthorized("Token \(found.identity.tokenID) has been revoked", reason: "revoked")
        }
        if let retryAfter = limiter.acquire(found.identity.tokenID) {
            metrics.rejectedRequest(reason: "rate_limited")
            let seconds = max(1, Int(retryAfter.rounded(.up)))
            throw HTTPError(
                .tooManyRequests, headers: [.retryAfter: String(seconds)],
                message: "Rate limit of \(Int(limiter.ratePerSecond)) requests/s (burst \(Int(limiter.burst))) exceeded for token \(found.identity.tokenID); retry in \(seconds) s"
            )
        }
        var context = context
        context.identity = found.identity
        context.metrics = metrics
        context.logger[metadataKey: "token.id"] = .string(found.identity.tokenID)
        return try await next(request, context)
    }

    private func unauthorized(_ message: String, reason: String) -> HTTPError {
        metrics.authFailure(reason: reason)
        return HTTPError(.unauthorized, headers: [.wwwAuthenticate: "Bearer realm=\"fleet-control\""], message: message)
    }
}
