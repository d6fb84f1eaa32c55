import Foundation
import Synchronization

/// Recent answers about tokens, keyed by the token's SHA-256 (the token itself is never kept).
///
/// Accepted tokens are kept for `acceptedFor`, refused ones for `refusedFor`. How long an accepted token is kept is
/// the bound on how late a revocation is seen here.
public final class IdentityCache: Sendable {
    struct Entry {
        var result: Result<Identity, AuthenticationFailure>
        var expires: ContinuousClock.Instant
    }

    public let acceptedFor: Duration
    public let refusedFor: Duration
    let capacity: Int
    private let entries = Mutex<[String: Entry]>([:])

    public init(acceptedFor: Duration, refusedFor: Duration, capacity: Int = 10_000) {
        self.acceptedFor = acceptedFor
        self.refusedFor = refusedFor
        self.capacity = max(1, capacity)
    }

    /// The cached answer for the token with this key, if fresh.
    func lookup(_ key: String, now: ContinuousClock.Instant = .now) -> Result<Identity, AuthenticationFailure>? {
        entries.withLock { entries in
            guard let entry = entries[key], entry.expires > now else { return nil }
            return entry.result
        }
    }

    func store(_ key: String, _ result: Result<Identity, AuthenticationFailure>, now: ContinuousClock.Instant = .now) {
        let lifetime: Duration
        switch result {
        case .success: lifetime = acceptedFor
        case .failure: lifetime = refusedFor
        }
        guard lifetime > .zero else { return }
        entries.withLock { entries in
            if entries.count >= capacity { entries = entries.filter { $0.value.expires > now } }
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[key] = Entry(result: result, expires: now + lifetime)
        }
    }

    /// Forgets everything (after a local revocation).
    public func removeAll() {
        entries.withLock { $0.removeAll() }
    }

    /// The cache key of `token`: its SHA-256 in hex.
    public static func key(of token: String) -> String {
        SHA256.hexDigest(token.utf8)
    }
}
