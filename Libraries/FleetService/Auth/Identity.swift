/// The authenticated caller of a request, whichever service it reached and whichever issuer vouched for it.
public struct Identity: Sendable, Equatable {
    /// The token's id (`tok_…`) for suite tokens, `oidc:<sub>` for an external provider's.
    public var tokenID: String
    /// A human-readable name (the token's name, or the provider's subject).
    public var name: String
    /// What the caller may do.
    public var scopes: Set<Scope>
    /// When set, the caller speaks for this vehicle only (its telemetry, nothing else's).
    public var vehicleID: String?
    /// This token's own request budget; `nil` uses the service's default.
    public var rateLimit: RateLimit?

    public init(tokenID: String, name: String, scopes: Set<Scope>, vehicleID: String? = nil, rateLimit: RateLimit? = nil) {
        self.tokenID = tokenID
        self.name = name
        self.scopes = scopes
        self.vehicleID = vehicleID
        self.rateLimit = rateLimit
    }

    /// Whether the caller holds `scope` (`admin` holds every scope).
    public func allows(_ scope: Scope) -> Bool { scopes.contains(scope) || scopes.contains(.admin) }
}

/// A token bucket's size: `burst` requests at once, refilled at `perSecond`.
public struct RateLimit: Sendable, Equatable, Codable {
    public var perSecond: Int
    public var burst: Int

    public init(perSecond: Int, burst: Int) {
        self.perSecond = perSecond
        self.burst = burst
    }

    enum CodingKeys: String, CodingKey {
        case perSecond = "per_second"
        case burst
    }
}
