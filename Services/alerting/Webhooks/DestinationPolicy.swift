import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Server-side request forgery protection: webhook URLs must be `http(s)` and every address their host
/// resolves to must be public, unless it lies in an allow-listed range (`FLEET_ALERTING_WEBHOOK_ALLOW_CIDRS`).
struct DestinationPolicy: Sendable {
    /// Why a destination is refused.
    struct Refusal: Error, Sendable, CustomStringConvertible {
        var reason: String
        var description: String { reason }
    }

    /// Ranges that are never contacted unless allow-listed: private, loopback, link-local, CGNAT,
    /// multicast, reserved, unspecified, IPv6 unique-local and link-local, and IPv4-mapped/translated forms.
    static let blocked: [(IPRange, String)] = [
        ("0.0.0.0/8", "unspecified"), ("10.0.0.0/8", "private"), ("100.64.0.0/10", "carrier-grade NAT"),
        ("127.0.0.0/8", "loopback"), ("169.254.0.0/16", "link-local"), ("172.16.0.0/12", "private"),
        ("192.0.0.0/24", "IETF protocol assignments"), ("192.168.0.0/16", "private"), ("198.18.0.0/15", "benchmarking"),
        ("224.0.0.0/4", "multicast"), ("240.0.0.0/4", "reserved"),
        ("::/128", "unspecified"), ("::1/128", "loopback"), ("fc00::/7", "unique local (private)"),
        ("fe80::/10", "link-local"), ("ff00::/8", "multicast"), ("64:ff9b::/96", "NAT64"),
    ].map { (IPRange(cidr: $0.0)!, $0.1) }

    /// Ranges allowed despite ``blocked``.
    var allowed: [IPRange]

    /// Checks the URL's syntax (absolute `http`/`https` with a host, no credentials).
    func validateSyntax(_ text: String) throws(Refusal) -> URL {
        guard text.utf8.count <= 2_048, let url = URL(string: text), let scheme = url.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = url.host, !host.isEmpty
        else {
            throw Refusal(reason: "url must be an absolute http or https URL with a host (at most 2048 bytes)")
        }
        guard url.user == nil, url.password == nil else {
            throw Refusal(reason: "url must not contain credentials; use custom headers instead")
        }
        return url
    }

    /// Resolves the URL's host and refuses it if any address is in a blocked range and not allow-listed.
    func check(_ text: String) throws(Refusal) {
        let url = try validateSyntax(text)
        let host = url.host ?? ""
        let addresses = try resolve(host)
        for address in addresses {
            if let refusal = refusal(for: address) {
                throw Refusal(
                    reason: "destination \(host) resolves to \(IPRange.format(address)), a \(refusal) address; "
                        + "such destinations are refused unless allow-listed in FLEET_ALERTING_WEBHOOK_ALLOW_CIDRS")
            }
        }
    }

    /// The blocked category of `address`, or `nil` if it may be contacted.
    func refusal(for address: [UInt8]) -> String? {
        var candidate = address
        // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible forms are checked as IPv4.
        if address.count == 16, address[0..<10].allSatisfy({ $0 == 0 }), address[10] == 0xFF, address[11] == 0xFF {
            candidate = Array(address[12..<16])
        }
        if allowed.contains(where: { $0.contains(candidate) || $0.contains(address) }) { return nil }
        return Self.blocked.first { $0.0.contains(candidate) }?.1
    }

    /// Every address `host` resolves to (a literal address resolves to itself).
    func resolve(_ host: String) throws(Refusal) -> [[UInt8]] {
        if let literal = IPRange.parseAddress(host) { return [literal] }
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, nil, &hints, &result)
        guard rc == 0, let first = result else {
            throw Refusal(reason: "cannot resolve destination host \(host): \(String(cString: gai_strerror(rc)))")
        }
        defer { freeaddrinfo(first) }
        var addresses: [[UInt8]] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            if let sockaddrPointer = entry.pointee.ai_addr {
                if entry.pointee.ai_family == AF_INET {
                    let address = sockaddrPointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
                    addresses.append(withUnsafeBytes(of: address) { Array($0) })
                } else if entry.pointee.ai_family == AF_INET6 {
                    let address = sockaddrPointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
                    addresses.append(withUnsafeBytes(of: address) { Array($0) })
                }
            }
            cursor = entry.pointee.ai_next
        }
        guard !addresses.isEmpty else { throw Refusal(reason: "destination host \(host) has no addresses") }
        return addresses
    }
}
