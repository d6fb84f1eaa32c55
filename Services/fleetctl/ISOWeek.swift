import ArgumentParser
import Foundation

/// An ISO 8601 week, `2026-W53`: Monday 00:00 UTC to the next Monday 00:00 UTC. Week 1 of a year is the week with its
/// first Thursday (the one holding 4 January), so a year has 52 or 53 weeks and its first or last days may belong to
/// the neighbouring year's weeks (2027-01-03 is in 2026-W53, 2024-12-30 in 2025-W01).
struct ISOWeek: Sendable, Hashable, CustomStringConvertible {
    let year: Int
    let week: Int

    /// `year`-W`week`, or nil when the year has no such week.
    init?(year: Int, week: Int) {
        guard (1...9999).contains(year), week >= 1, week <= Self.weeks(in: year) else { return nil }
        self.year = year
        self.week = week
    }

    /// The week holding `day`.
    init(containing day: UTCDay) {
        let calendarYear = day.civil.year
        var year = calendarYear
        if day < Self.firstMonday(of: calendarYear) {
            year = calendarYear - 1
        } else if day >= Self.firstMonday(of: calendarYear + 1) {
            year = calendarYear + 1
        }
        self.year = year
        week = (day.daysSinceEpoch - Self.firstMonday(of: year).daysSinceEpoch) / 7 + 1
    }

    /// The week `[startMillis, endMillis)` is exactly, or nil when the period is not one ISO week.
    init?(startMillis: Int64, endMillis: Int64) {
        let week = ISOWeek(containing: UTCDay(containingMillis: startMillis))
        guard week.startMillis == startMillis, week.endMillis == endMillis else { return nil }
        self = week
    }

    /// The last complete week before `now`: the one that ended at the start of `now`'s week (at `now` itself when `now` is
    /// Monday 00:00 UTC).
    static func lastComplete(before now: Date) -> ISOWeek {
        let millis = Int64((now.timeIntervalSince1970 * 1_000).rounded(.down))
        let current = ISOWeek(containing: UTCDay(containingMillis: millis))
        return ISOWeek(containing: current.monday.adding(days: -1))
    }

    /// Parses `YYYY-Www` (`w` in either case), throwing a usage error that says what is wrong.
    static func parse(_ text: String) throws -> ISOWeek {
        let bytes = Array(text.utf8)
        let isDigit = { (byte: UInt8) in (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
        guard bytes.count == 8, bytes[4] == UInt8(ascii: "-"), bytes[5] == UInt8(ascii: "W") || bytes[5] == UInt8(ascii: "w"),
            bytes[0..<4].allSatisfy(isDigit), bytes[6..<8].allSatisfy(isDigit),
            let year = Int(String(decoding: bytes[0..<4], as: UTF8.self)), let number = Int(String(decoding: bytes[6..<8], as: UTF8.self))
        else {
            throw ValidationError("--week must be an ISO week YYYY-Www, e.g. 2026-W05; got '\(text)'")
        }
        guard let week = ISOWeek(year: year, week: number) else {
            guard (1...9999).contains(year) else { throw ValidationError("--week \(text): the year must be 0001-9999") }
            throw ValidationError("--week \(text): \(year) has ISO weeks 01-\(Self.weeks(in: year))")
        }
        return week
    }

    /// How many ISO weeks `year` has: 53 when it starts on a Thursday, or on a Wednesday in a leap year; else 52.
    static func weeks(in year: Int) -> Int {
        (firstMonday(of: year + 1).daysSinceEpoch - firstMonday(of: year).daysSinceEpoch) / 7
    }

    /// The Monday of week 1 of `year`: the Monday on or before 4 January.
    static func firstMonday(of year: Int) -> UTCDay {
        let january4 = UTCDay(daysSinceEpoch: UTCDay.days(year: year, month: 1, day: 4))
        return january4.adding(days: 1 - january4.weekday)
    }

    /// The week's Monday.
    var monday: UTCDay { Self.firstMonday(of: year).adding(days: (week - 1) * 7) }

    /// Monday 00:00 UTC, in epoch milliseconds.
    var startMillis: Int64 { monday.startMillis }

    /// The next Monday 00:00 UTC, in epoch milliseconds (the end is exclusive).
    var endMillis: Int64 { monday.adding(days: 7).startMillis }

    /// `YYYY-Www`.
    var description: String {
        let year = String(self.year), week = String(self.week)
        return String(repeating: "0", count: max(0, 4 - year.count)) + year + "-W" + (week.count < 2 ? "0" : "") + week
    }
}
