import Foundation

/// ISO 8601 text with milliseconds (UTC), the time format of every JSON body this service writes.
enum Timestamp {
    /// `2026-11-23T17:05:00.123Z`.
    static func string(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    /// ``string(_:)`` for optional dates.
    static func optional(_ date: Date?) -> String? {
        date.map { string($0) }
    }

    /// Parses ISO 8601 with or without fractional seconds.
    static func parse(_ text: String) -> Date? {
        (try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
            ?? (try? Date(text, strategy: Date.ISO8601FormatStyle()))
    }
}
