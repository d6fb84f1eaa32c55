import FleetService
import Foundation
import Hummingbird

/// `GET /auth/introspect`: what the identity service knows of the bearer token, in RFC 7662's answer format.
///
/// The other services call it with their caller's token and cache the answer for a couple of seconds
/// (`FLEET_AUTH_CACHE_SECONDS`). It presents the token itself as its credential, so nobody learns anything about a
/// token they do not hold. An unknown or revoked token answers `200 {"active": false}` (RFC 7662 §2.2); an external
/// provider's JWT is checked like on every service.
struct IntrospectionController {
    typealias Context = AppRequestContext

    let authenticator: any TokenAuthenticator

    func addRoutes(to router: Router<Context>) {
        router.get("auth/introspect", use: introspect)
    }

    @Sendable func introspect(_ request: Request, context: Context) async throws -> Response {
        let answer: IntrospectionAnswer
        do {
            let identity = try await authenticator.authenticate(token: try BearerAuthMiddleware<Context>.bearerToken(of: request))
            answer = IntrospectionAnswer(identity: identity)
        } catch let failure as AuthenticationFailure where failure.reason != .unavailable {
            AuthMetrics.shared.failures.increment(failure.reason.rawValue)
            answer = IntrospectionAnswer(inactive: failure.reason)
        }
        var response = try JSONResponse.response(.ok, answer)
        response.headers[.cacheControl] = "no-store"
        return response
    }
}
