import Foundation
import NIOCore

/// The peers whose `X-Forwarded-For` is believed (`FLEET_HTTP_TRUSTED_PROXIES`, a comma-separated list of addresses).
///
/// The client address is the direct peer unless that peer is trusted; then it is the right-most address of
/// `X-Forwarded-For` that is not itself a trusted proxy (the left-most entries are whatever the client claimed).
public struct TrustedProxies: Sendable, Equatable {
    public var addresses: Set<String>

    public init(_ addresses: some Sequence<String> = []) {
        self.addresses = Set(addresses.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
    }

    /// Parses the comma-separated form.
    public init(list: String) {
        self.init(list.split(separator: ",").map(String.init))
    }

    /// The address to record for a request from `peer` that carried `forwardedFor`.
    public func clientAddress(peer: SocketAddress?, forwardedFor: String?) -> String {
        let direct = Self.text(of: peer)
        guard addresses.contains(direct), let forwardedFor else { return direct }
        let hops = forwardedFor.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        for hop in hops.reversed() where !addresses.contains(hop) {
            return hop
        }
        return hops.first ?? direct
    }
}

extension TrustedProxies {
    /// A peer address as the audit log writes it: the IP address, or `unknown`.
    static func text(of peer: SocketAddress?) -> String {
        peer.map { $0.ipAddress ?? "\($0)" } ?? "unknown"
    }
}
