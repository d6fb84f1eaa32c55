import FleetService
import Hummingbird
import Logging
import NIOCore

/// The request context of fleet-control: the core context, the caller's address and, after ``BearerAuthMiddleware``,
/// its identity.
struct ControlRequestContext: AuthenticatedRequestContext {
    var coreContext: CoreRequestContextStorage
    /// The peer address of the connection.
    let remoteAddress: SocketAddress?
    var identity: Identity?
    var clientAddress: String

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
        identity = nil
        clientAddress = remoteAddress.map { $0.ipAddress ?? "\($0)" } ?? "unknown"
    }

}
