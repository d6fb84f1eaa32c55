import NIOCore

/// The peers whose `X-Forwarded-For` is believed (`FLEET_HTTP_TRUSTED_PROXIES`, a comma-separated list of addresses).
///
/// The client address is the direct peer unless that peer is trusted; then it is the right-most address of
/// `X-Forwarded-For` that is not itself a trusted proxy (the left-most entries are whatever the client claimed).
public struct TrustedProxies: Sendable, Equatable {
    public var addresses: Set<String>

    public init(_ addresses: some Sequence<String> = []) {
        self.addresses = Set(addresses.map { $0.trimmingSpaces() }.filter { !$0.isEmpty })
    }

    /// Parses the comma-separated form.
    public init(list: String) {
        self.init(list.split(separator: ",").map(String.init))
    }

    /// The address to record for a request from `peer` that carried `forwardedFor`.
    public func clientAddress(peer: SocketAddress?, forwardedFor: String?) -> String {
        let direct = peer.map { $0.ipAddress ?? "\($0)" } ?? "unknown"
        guard addresses.contains(direct), let forwardedFor else { return direct }
        let hops = forwardedFor.split(separator: ",").map { String($0).trimmingSpaces() }.filter { !$0.isEmpty }
        for hop in hops.reversed() where !addresses.contains(hop) {
            return hop
        }
        return hops.first ?? direct
    }
}

extension String {
    func trimmingSpaces() -> String {
        var view = Substring(self)
        while view.first == " " || view.first == "\t" { view = view.dropFirst() }
        while view.last == " " || view.last == "\t" { view = view.dropLast() }
        return String(view)
    }
}
