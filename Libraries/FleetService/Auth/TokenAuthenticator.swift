/// Turns a bearer token into the caller's ``Identity``, or throws ``AuthenticationFailure``.
public protocol TokenAuthenticator: Sendable {
    func authenticate(token: String) async throws -> Identity
}

/// Suite tokens go to `suite`; JWTs (three dot-separated parts) go to the external provider when one is configured.
public struct FleetAuthenticator: TokenAuthenticator {
    public let suite: any TokenAuthenticator
    public let external: (any TokenAuthenticator)?

    public init(suite: any TokenAuthenticator, external: (any TokenAuthenticator)?) {
        self.suite = suite
        self.external = external
    }

    public func authenticate(token: String) async throws -> Identity {
        if Self.looksLikeJWT(token) {
            guard let external else {
                throw AuthenticationFailure(.unknown, "JWT bearer tokens are not accepted: no external identity provider is configured (FLEET_AUTH_OIDC_ISSUER)")
            }
            return try await external.authenticate(token: token)
        }
        return try await suite.authenticate(token: token)
    }

    /// Whether `token` has the shape of a compact JWS (`header.payload.signature`).
    static func looksLikeJWT(_ token: String) -> Bool {
        token.utf8.count(where: { $0 == UInt8(ascii: ".") }) == 2
    }
}
