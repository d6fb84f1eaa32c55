import Foundation

/// When to try a failed delivery again: exponential backoff with full jitter, `Retry-After` honoured,
/// and a dead letter after ``maxAge`` (or ``maxAttempts`` when set).
struct RetryPolicy: Sendable {
    var base: Duration
    var maxDelay: Duration
    var maxAge: Duration
    var maxAttempts: Int

    /// The delay before attempt `attempts + 1`, given `attempts` already made (≥ 1).
    ///
    /// Half the exponential delay is fixed and half is random ("equal jitter"), so retries of many
    /// deliveries spread out without ever retrying sooner than half the nominal backoff.
    func delay(afterAttempts attempts: Int, retryAfter: Duration?) -> Duration {
        let exponent = min(max(attempts - 1, 0), 30)
        let nominal = min(base * (1 << exponent), maxDelay)
        let seconds = Self.seconds(nominal)
        let jittered = Duration.seconds(seconds / 2 + Double.random(in: 0...(seconds / 2)))
        guard let retryAfter else { return jittered }
        return max(jittered, min(retryAfter, maxAge))
    }

    /// Whether a delivery created at `createdAt` with `attempts` made gives up rather than retrying at `next`.
    func isExhausted(attempts: Int, createdAt: Date, next: Date) -> Bool {
        if maxAttempts > 0 && attempts >= maxAttempts { return true }
        return next.timeIntervalSince(createdAt) > Self.seconds(maxAge)
    }

    /// Parses a `Retry-After` value: delta seconds or an HTTP date.
    static func parseRetryAfter(_ value: String, now: Date = Date()) -> Duration? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Int(trimmed), seconds >= 0 { return .seconds(seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: trimmed) else { return nil }
        return .milliseconds(max(0, Int64(date.timeIntervalSince(now) * 1000)))
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
