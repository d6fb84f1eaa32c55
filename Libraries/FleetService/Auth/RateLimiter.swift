import Synchronization

/// A token bucket per API token, sized by the token's own ``RateLimit`` or the service's default.
///
/// Buckets of tokens not seen for a minute are dropped when the table grows past `capacity`, so memory stays bounded
/// however many tokens call.
public final class RateLimiter: Sendable {
    struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    /// The budget of tokens that carry none of their own.
    public let defaultLimit: RateLimit
    let capacity: Int
    private let buckets = Mutex<[String: Bucket]>([:])

    public init(defaultLimit: RateLimit, capacity: Int = 100_000) {
        self.defaultLimit = defaultLimit
        self.capacity = capacity
    }

    /// Takes one request from `key`'s bucket.
    /// - Returns: `nil` if allowed, otherwise the seconds until the next request would be allowed.
    public func acquire(_ key: String, limit: RateLimit? = nil, now: ContinuousClock.Instant = .now) -> Double? {
        let limit = limit ?? defaultLimit
        let rate = Double(max(1, limit.perSecond))
        let burst = Double(max(1, limit.burst))
        return buckets.withLock { buckets in
            if buckets.count >= capacity, buckets[key] == nil {
                buckets = buckets.filter { now - $0.value.updated < .seconds(60) }
            }
            var bucket = buckets[key] ?? Bucket(tokens: burst, updated: now)
            let elapsed = now - bucket.updated
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            bucket.tokens = min(burst, bucket.tokens + max(0, seconds) * rate)
            bucket.updated = now
            defer { buckets[key] = bucket }
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                return nil
            }
            return (1 - bucket.tokens) / rate
        }
    }
}
