import FleetService
import Synchronization

/// Recently looked-up tokens by hash, so a burst of requests with one token costs one database round trip per
/// `timeToLive` instead of one per request.
///
/// Only tokens found in the database are kept (an unknown secret is always looked up). This process forgets
/// everything at once when it creates or revokes a token, and a lookup that started before that is not stored; a
/// revocation made by another instance (or directly in the database) takes effect here within `timeToLive`.
final class TokenCache: Sendable {
    /// A stored lookup result.
    struct Entry: Sendable {
        var identity: Identity
        var revoked: Bool
        var expires: ContinuousClock.Instant
    }

    private struct State {
        var entries: [String: Entry] = [:]
        /// Incremented by ``removeAll()``; a lookup begun under an older generation is not stored.
        var generation = 0
    }

    let timeToLive: Duration
    let capacity: Int
    private let state = Mutex(State())

    init(timeToLive: Duration, capacity: Int = 10_000) {
        self.timeToLive = timeToLive
        self.capacity = max(1, capacity)
    }

    /// The cached result for `hash`, unless it is missing or older than `timeToLive`.
    func lookup(hash: String, now: ContinuousClock.Instant = .now) -> (identity: Identity, revoked: Bool)? {
        state.withLock { s in
            guard let entry = s.entries[hash], entry.expires > now else { return nil }
            return (entry.identity, entry.revoked)
        }
    }

    /// The generation to pass to ``store(hash:identity:revoked:generation:now:)``; read it before querying the database.
    var generation: Int { state.withLock { $0.generation } }

    /// Remembers a token found in the database, unless the cache was cleared since `generation` was read.
    func store(hash: String, identity: Identity, revoked: Bool, generation: Int, now: ContinuousClock.Instant = .now) {
        state.withLock { s in
            guard s.generation == generation else { return }
            if s.entries.count >= capacity { s.entries.removeAll(keepingCapacity: true) }
            s.entries[hash] = Entry(identity: identity, revoked: revoked, expires: now + timeToLive)
        }
    }

    /// Forgets every token (after a token was created or revoked).
    func removeAll() {
        state.withLock { s in
            s.entries.removeAll()
            s.generation += 1
        }
    }
}
