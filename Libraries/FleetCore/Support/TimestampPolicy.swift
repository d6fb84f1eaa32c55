public import Foundation

/// Plausibility of a device timestamp relative to the receiver's clock.
///
/// Codecs only check that timestamps lie in ``FleetLimits/timestampMillis``; whether a sample is
/// too old or too far in the future is ingest policy, expressed with this type so services agree.
public struct TimestampPolicy: Hashable, Sendable {
    /// How far ahead of `now` a timestamp may be (device clock skew), in milliseconds.
    public var maxFutureSkewMillis: Int64
    /// How far behind `now` a timestamp may be (buffered / replayed data), in milliseconds.
    public var maxAgeMillis: Int64

    /// The outcome of ``check(_:now:)``.
    public enum Verdict: Hashable, Sendable {
        /// Within bounds.
        case plausible
        /// Ahead of `now` by more than the allowed skew; the payload is how far ahead, in milliseconds.
        case inFuture(byMillis: Int64)
        /// Older than the maximum age; the payload is the age in milliseconds.
        case tooOld(ageMillis: Int64)
    }

    /// Creates a policy. Negative bounds are treated as zero.
    public init(maxFutureSkewMillis: Int64 = 30_000, maxAgeMillis: Int64 = 24 * 3_600_000) {
        self.maxFutureSkewMillis = max(0, maxFutureSkewMillis)
        self.maxAgeMillis = max(0, maxAgeMillis)
    }

    /// Default ingest policy: 30 s future skew, 24 h maximum age.
    public static let ingestDefault = TimestampPolicy()

    /// Classifies `millis` relative to `nowMillis` (both milliseconds since the Unix epoch).
    public func check(_ millis: Int64, nowMillis: Int64) -> Verdict {
        // Subtraction in the full Int64 range can overflow for hostile inputs; saturate instead.
        let (delta, overflow) = millis.subtractingReportingOverflow(nowMillis)
        if overflow { return millis > nowMillis ? .inFuture(byMillis: .max) : .tooOld(ageMillis: .max) }
        if delta > maxFutureSkewMillis { return .inFuture(byMillis: delta) }
        if delta < 0 && -delta > maxAgeMillis { return .tooOld(ageMillis: -delta) }
        return .plausible
    }

    /// Classifies `millis` relative to `now`.
    public func check(_ millis: Int64, now: Date) -> Verdict {
        check(millis, nowMillis: TimestampPolicy.millis(from: now))
    }

    /// Throws unless `millis` is plausible relative to `now`.
    /// - Throws: ``ValidationError`` naming `field`.
    public func validate(_ millis: Int64, now: Date, field: String = "device_time_ms") throws(ValidationError) {
        switch check(millis, now: now) {
        case .plausible:
            return
        case .inFuture(let ahead):
            throw ValidationError(field: field, reason: "is \(ahead) ms in the future (max skew \(maxFutureSkewMillis) ms)")
        case .tooOld(let age):
            throw ValidationError(field: field, reason: "is \(age) ms old (max age \(maxAgeMillis) ms)")
        }
    }

    /// Milliseconds since the Unix epoch for `date`, rounded down and clamped to the Int64 range.
    public static func millis(from date: Date) -> Int64 {
        let value = (date.timeIntervalSince1970 * 1000).rounded(.down)
        guard value.isFinite else { return value > 0 ? .max : .min }
        if value >= 9.2e18 { return .max }
        if value <= -9.2e18 { return .min }
        return Int64(value)
    }

    /// The `Date` for `millis` milliseconds since the Unix epoch.
    public static func date(fromMillis millis: Int64) -> Date {
        Date(timeIntervalSince1970: Double(millis) / 1000)
    }
}
