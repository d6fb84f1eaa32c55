import Configuration

/// How a service authenticates its callers.
///
/// | Environment variable | Default | Meaning |
/// |---|---|---|
/// | `FLEET_AUTH_INTROSPECTION_URL` | `http://127.0.0.1:8082/auth/introspect` | Where suite tokens are checked (fleet-control). |
/// | `FLEET_AUTH_CACHE_SECONDS` | `2` | How long a checked token is trusted before it is checked again: the bound on how late a revocation is seen (0–5). |
/// | `FLEET_AUTH_OIDC_ISSUER` | unset | An external OpenID Connect provider's issuer (`iss`); enables its JWTs. |
/// | `FLEET_AUTH_OIDC_JWKS_URL` | unset | Its JSON Web Key Set; required with the issuer. |
/// | `FLEET_AUTH_OIDC_AUDIENCE` | `fleet` | The audience (`aud`) its tokens must name. |
/// | `FLEET_AUTH_OIDC_SCOPE_CLAIM` | `scope` | The claim holding the scopes (space-separated string or array). |
/// | `FLEET_AUTH_OIDC_VEHICLE_CLAIM` | `fleet_vehicle_id` | The claim restricting a token to one vehicle. |
/// | `FLEET_AUTH_RATE_LIMIT_RPS` | `50` | Requests per second per token, for tokens without a limit of their own. |
/// | `FLEET_AUTH_RATE_LIMIT_BURST` | `100` | Bucket size per token, likewise. |
/// | `FLEET_HTTP_TRUSTED_PROXIES` | unset | Comma-separated proxy addresses whose `X-Forwarded-For` is believed for audit records. |
public struct AuthConfiguration: Sendable, Equatable {
    public var introspectionURL = "http://127.0.0.1:8082/auth/introspect"
    public var cacheSeconds = 2
    public var oidc: OIDCAuthenticator.Settings?
    public var rateLimit = RateLimit(perSecond: 50, burst: 100)
    public var trustedProxies = TrustedProxies()

    public init() {}

    /// Reads `fleet.auth.*` and `fleet.http.trustedProxies`.
    public init(reader: ConfigReader) throws {
        introspectionURL = try reader.fleetString("fleet.auth.introspectionUrl", default: introspectionURL)
        guard introspectionURL.hasPrefix("http://") || introspectionURL.hasPrefix("https://") else {
            throw ConfigurationError(key: "fleet.auth.introspectionUrl", reason: "must be an http:// or https:// URL")
        }
        cacheSeconds = try reader.fleetInt("fleet.auth.cacheSeconds", default: cacheSeconds, range: 0...5)
        rateLimit = RateLimit(
            perSecond: try reader.fleetInt("fleet.auth.rateLimit.rps", default: rateLimit.perSecond, range: 1...1_000_000),
            burst: try reader.fleetInt("fleet.auth.rateLimit.burst", default: rateLimit.burst, range: 1...1_000_000))
        trustedProxies = TrustedProxies(list: reader.fleetOptionalString("fleet.http.trustedProxies") ?? "")
        if let issuer = reader.fleetOptionalString("fleet.auth.oidc.issuer") {
            guard let jwksURL = reader.fleetOptionalString("fleet.auth.oidc.jwksUrl"),
                jwksURL.hasPrefix("http://") || jwksURL.hasPrefix("https://")
            else {
                throw ConfigurationError(key: "fleet.auth.oidc.jwksUrl", reason: "must be an http(s) URL when FLEET_AUTH_OIDC_ISSUER is set")
            }
            oidc = OIDCAuthenticator.Settings(
                issuer: issuer, jwksURL: jwksURL,
                audience: try reader.fleetString("fleet.auth.oidc.audience", default: "fleet"),
                scopeClaim: try reader.fleetString("fleet.auth.oidc.scopeClaim", default: "scope"),
                vehicleClaim: try reader.fleetString("fleet.auth.oidc.vehicleClaim", default: "fleet_vehicle_id"))
        }
    }
}
