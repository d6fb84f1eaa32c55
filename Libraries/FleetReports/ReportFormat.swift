import Foundation

/// Locale-independent formatting shared by the renderings: fixed-point numbers with a `.` decimal point, ISO 8601 UTC
/// times computed by hand, and HTML escaping.
enum ReportFormat {
    /// `value` with exactly `decimals` decimals (`-0.00` becomes `0.00`); empty for nil, NaN or infinity.
    static func fixed(_ value: Double?, _ decimals: Int) -> String {
        guard let value, value.isFinite else { return "" }
        // `String(format:)` without a locale always uses `.`, on Darwin and in swift-corelibs-foundation.
        let text = String(format: "%.\(max(0, decimals))f", value)
        if text.hasPrefix("-"), text.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) { return String(text.dropFirst()) }
        return text
    }

    /// A ratio (0…1) as a percentage with `decimals` decimals; empty for nil.
    static func percent(_ ratio: Double?, _ decimals: Int = 1) -> String {
        fixed(ratio.map { $0 * 100 }, decimals)
    }

    /// `millis` (Unix milliseconds) as ISO 8601 UTC: `2024-05-06T00:00:00Z`, with `.mmm` only when there are
    /// milliseconds.
    static func timestamp(_ millis: Int64) -> String {
        let (days, millisOfDay) = floorDivision(millis, 86_400_000)
        let hours = millisOfDay / 3_600_000
        let minutes = millisOfDay / 60_000 % 60
        let seconds = millisOfDay / 1000 % 60
        let fraction = millisOfDay % 1000
        var text = "\(day(fromEpochDays: days))T\(padded(hours, 2)):\(padded(minutes, 2)):\(padded(seconds, 2))"
        if fraction != 0 { text += ".\(padded(fraction, 3))" }
        return text + "Z"
    }

    /// The UTC day of `millis` as ISO 8601: `2024-05-06`.
    static func day(_ millis: Int64) -> String {
        day(fromEpochDays: floorDivision(millis, 86_400_000).quotient)
    }

    /// The UTC day of `millis` as `MM-DD` (chart labels).
    static func shortDay(_ millis: Int64) -> String {
        String(day(millis).suffix(5))
    }

    /// `text` safe inside HTML text and attribute values: `& < > " '` escaped; control characters other than tab,
    /// line feed and carriage return replaced by U+FFFD.
    static func html(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            case "\t", "\n", "\r": escaped.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    escaped += "\u{FFFD}"
                } else {
                    escaped.unicodeScalars.append(scalar)
                }
            }
        }
        return escaped
    }

    /// `text` cut to at most `length` characters, ending in `…` when cut.
    static func truncated(_ text: String, to length: Int) -> String {
        guard text.count > length, length > 1 else { return text }
        return String(text.prefix(length - 1)) + "…"
    }

    // MARK: Calendar

    /// `value ÷ divisor` rounded down, with the non-negative remainder.
    static func floorDivision(_ value: Int64, _ divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        let (quotient, remainder) = value.quotientAndRemainder(dividingBy: divisor)
        return remainder < 0 ? (quotient - 1, remainder + divisor) : (quotient, remainder)
    }

    /// The proleptic Gregorian date `days` after 1970-01-01 as `YYYY-MM-DD` (Howard Hinnant's `civil_from_days`).
    static func day(fromEpochDays days: Int64) -> String {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let dayOfMonth = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return "\(padded(year, 4))-\(padded(month, 2))-\(padded(dayOfMonth, 2))"
    }

    /// `value` with leading zeros up to `width` digits (a minus sign in front of them).
    static func padded(_ value: Int64, _ width: Int) -> String {
        let digits = String(value.magnitude)
        let zeros = String(repeating: "0", count: max(0, width - digits.count))
        return (value < 0 ? "-" : "") + zeros + digits
    }
}
