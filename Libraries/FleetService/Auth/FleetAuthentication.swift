import AsyncHTTPClient
import Hummingbird
import Logging

/// A service's authentication, made once: the authenticator, the per-token rate limiter and the trusted proxies.
///
/// ```swift
/// let auth = runtime.makeAuthentication()
/// let v1 = router.group("v1").add(middleware: auth.middleware(realm: "fleet-tracking"))
/// ```
public struct FleetAuthentication: Sendable {
    public let authenticator: any TokenAuthenticator
    public let limiter: RateLimiter
    public let proxies: TrustedProxies

    public init(authenticator: any TokenAuthenticator, limiter: RateLimiter, proxies: TrustedProxies) {
        self.authenticator = authenticator
        self.limiter = limiter
        self.proxies = proxies
    }

    /// The middleware for a router group (every `/v1` route).
    public func middleware<Context: AuthenticatedRequestContext>(realm: String, context: Context.Type = Context.self) -> BearerAuthMiddleware<Context> {
        BearerAuthMiddleware(authenticator: authenticator, limiter: limiter, proxies: proxies, realm: realm)
    }
}

extension FleetServiceRuntime {
    /// The client of introspection and JWKS requests: one per process, never shut down (so components built and never
    /// run, as in tests, leak nothing). A refused connection fails at once, so a down identity service costs a request
    /// a quick 503 instead of the whole deadline; every request sets its own deadline.
    static let httpClient: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: .seconds(2), read: .seconds(5))
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    /// The service's authentication from ``FleetConfiguration/auth``.
    ///
    /// - Parameter suite: How suite tokens are checked; `nil` (every service but the identity service) asks the
    ///   identity service at ``AuthConfiguration/introspectionURL`` and caches answers for
    ///   ``AuthConfiguration/cacheSeconds``.
    public func makeAuthentication(suite: (any TokenAuthenticator)? = nil) -> FleetAuthentication {
        let auth = configuration.auth
        let client = Self.httpClient
        var authLogger = logger
        authLogger[metadataKey: "component"] = "auth"
        let cache = IdentityCache(acceptedFor: .seconds(auth.cacheSeconds), refusedFor: .seconds(min(1, auth.cacheSeconds)))
        let suiteAuthenticator = suite ?? IntrospectionAuthenticator(url: auth.introspectionURL, client: client, cache: cache, logger: authLogger)
        let external = auth.oidc.map { OIDCAuthenticator(settings: $0, client: client, logger: authLogger) }
        return FleetAuthentication(
            authenticator: FleetAuthenticator(suite: suiteAuthenticator, external: external),
            limiter: RateLimiter(defaultLimit: auth.rateLimit), proxies: auth.trustedProxies)
    }
}
