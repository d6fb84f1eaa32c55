import Hummingbird
import NIOCore

/// A request context that ``BearerAuthMiddleware`` can fill in: the caller's identity and address.
public protocol AuthenticatedRequestContext: RemoteAddressRequestContext {
    /// The caller, set by ``BearerAuthMiddleware``; `nil` before it ran.
    var identity: Identity? { get set }
    /// The client's address for audit records (see ``TrustedProxies``), set by ``BearerAuthMiddleware``.
    var clientAddress: String { get set }
}

extension AuthenticatedRequestContext {
    /// The caller if it holds `scope`; otherwise 403 (or 401 when the request was not authenticated).
    public func require(_ scope: Scope) throws -> Identity {
        guard let identity else { throw HTTPError(.unauthorized, message: "Missing bearer token") }
        guard identity.allows(scope) else {
            AuthMetrics.shared.failures.increment("scope")
            throw HTTPError(.forbidden, message: "Token \(identity.tokenID) lacks the scope \(scope.rawValue) required for this request")
        }
        return identity
    }
}

/// The request context of every Fleet service: the core context, the peer, and what ``BearerAuthMiddleware`` found.
public struct FleetRequestContext: AuthenticatedRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?
    public var identity: Identity?
    public var clientAddress: String

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
        identity = nil
        clientAddress = TrustedProxies.text(of: remoteAddress)
    }
}
