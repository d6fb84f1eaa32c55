/// What libmosquitto's thread reports to the client's event loop. Values only: the C thread copies and yields.
enum ClientEvent: Sendable {
    case connected(reasonCode: Int32, sessionPresent: Bool)
    case connectFailed(code: Int32)
    case disconnected(reasonCode: Int32)
    case published(mid: Int32, reasonCode: Int32)
    case subscribed(mid: Int32, grantedQoS: [Int32])
    case unsubscribed(mid: Int32)
}
