import Foundation

/// A time given on the command line, as fleet-tracking takes times: ISO 8601 with a zone (`2026-03-02T08:00:00Z`,
/// fractional seconds allowed), a UTC date (`2026-03-02`, its midnight) or milliseconds since the epoch.
enum TimeArgument {
    /// What the forms are, for error messages.
    static let forms = "an ISO 8601 time with a zone (2026-03-02T08:00:00Z), a UTC date (2026-03-02) or epoch milliseconds"

    /// `text` in epoch milliseconds, or nil when it is none of the forms.
    static func millis(_ text: String) -> Int64? {
        if !text.isEmpty, text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) { return Int64(text) }
        if let day = UTCDay(iso: text) { return day.startMillis }
        // The two ISO 8601 forms the service takes (FleetService's `Request.parseTimeMillis`); with fractional seconds
        // first, so a fraction is never dropped by the plain form.
        let date = (try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))) ?? (try? Date(text, strategy: .iso8601))
        return date.map { Int64(($0.timeIntervalSince1970 * 1_000).rounded()) }
    }
}
