import Hummingbird
import Logging
import NIOCore

/// The request context of fleet-control: the core context, the caller's address and, after ``AuthMiddleware``, its identity.
struct ControlRequestContext: RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    /// The peer address of the connection.
    let remoteAddress: SocketAddress?
    /// The authenticated token, set by ``AuthMiddleware``.
    var identity: Identity?
    /// The service's metrics, set by ``AuthMiddleware`` with the identity.
    var metrics: ControlMetrics?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
        identity = nil
        metrics = nil
    }

    /// The client address as text for the audit log.
    var clientAddress: String {
        guard let remoteAddress else { return "unknown" }
        return remoteAddress.ipAddress ?? "\(remoteAddress)"
    }

    /// The caller's identity if it holds `scope`; otherwise 403 (or 401 without identity).
    func require(_ scope: Scope) throws -> Identity {
        guard let identity else { throw HTTPError(.unauthorized, message: "Missing bearer token") }
        guard identity.allows(scope) else {
            metrics?.authFailure(reason: "scope")
            throw HTTPError(.forbidden, message: "Token \(identity.tokenID) lacks the scope \(scope.rawValue) required for this request")
        }
        return identity
    }

    /// An audit entry attributed to the caller.
    func audit(_ action: String, target: String?, outcome: String = "ok", details: String? = nil) -> AuditEntry {
        AuditEntry(
            actorTokenID: identity?.tokenID, actorName: identity?.name, action: action, target: target, outcome: outcome,
            details: details, remoteAddress: clientAddress
        )
    }
}
