import HTTPTypes
import Hummingbird

/// Why a bearer token was not accepted. Every case but ``Reason/unavailable`` is the caller's fault (401).
public struct AuthenticationFailure: Error, Sendable, Equatable {
    /// The bounded set of reasons, used as the `reason` label of `fleet_auth_failures_total`.
    public enum Reason: String, Sendable, CaseIterable {
        case missing, malformed, unknown, revoked, expired
        case notYetValid = "not_yet_valid"
        case signature
        case algorithm
        case unknownKey = "unknown_key"
        case issuer, audience
        /// The identity provider could not be asked (503, not the caller's fault).
        case unavailable
    }

    public var reason: Reason
    public var message: String

    public init(_ reason: Reason, _ message: String) {
        self.reason = reason
        self.message = message
    }

    /// The response: 503 with `Retry-After` when the provider is unavailable, otherwise 401 with `WWW-Authenticate`.
    public func httpError(realm: String) -> HTTPError {
        if reason == .unavailable {
            return HTTPError(.serviceUnavailable, headers: [.retryAfter: "1"], message: message)
        }
        let error = reason == .missing ? "" : ", error=\"invalid_token\""
        return HTTPError(.unauthorized, headers: [.wwwAuthenticate: "Bearer realm=\"\(realm)\"\(error)"], message: message)
    }
}
