import FleetCore
import Foundation

/// A UTC day of telemetry: one partition, one archive folder.
struct ArchiveDay: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Midnight UTC, Unix milliseconds.
    let startMillis: Int64

    static let millisPerDay: Int64 = 86_400_000

    /// The day containing `millis`.
    init(containing millis: Int64) {
        startMillis = (millis >= 0 ? millis / Self.millisPerDay : (millis - Self.millisPerDay + 1) / Self.millisPerDay) * Self.millisPerDay
    }

    /// `YYYY-MM-DD`; nil for anything else or an impossible date.
    init?(iso: String) {
        let parts = iso.split(separator: "-", omittingEmptySubsequences: false)
        guard iso.count == 10, parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]), (1970...9999).contains(year)
        else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let components = DateComponents(year: year, month: month, day: day)
        guard components.isValidDate(in: calendar), let date = calendar.date(from: components) else { return nil }
        startMillis = TimestampPolicy.millis(from: date)
    }

    var endMillis: Int64 { startMillis + Self.millisPerDay }

    /// `YYYY-MM-DD`.
    var iso: String {
        let name = partition.dropFirst("telemetry_".count)
        return "\(name.prefix(4))-\(name.dropFirst(4).prefix(2))-\(name.suffix(2))"
    }

    /// The partition's table name, `telemetry_YYYYMMDD`.
    var partition: String { PostgresTrackingRepository.partitionName(dayStartMillis: startMillis) }

    var description: String { iso }

    static func < (lhs: ArchiveDay, rhs: ArchiveDay) -> Bool { lhs.startMillis < rhs.startMillis }

    /// Every day overlapping `fromMillis...toMillis`.
    static func days(overlapping fromMillis: Int64, _ toMillis: Int64) -> [ArchiveDay] {
        guard fromMillis <= toMillis else { return [] }
        var days: [ArchiveDay] = []
        var day = ArchiveDay(containing: fromMillis)
        while day.startMillis <= toMillis {
            days.append(day)
            day = ArchiveDay(containing: day.endMillis)
        }
        return days
    }
}

/// A row of `archive_days`, as `GET /v1/archive/days` shows it.
struct ArchiveDayRecord: Sendable, Codable, Equatable {
    enum State: String, Sendable, Codable {
        case pending, archived, dropped, restored
    }

    var day: String
    var state: State
    var manifestKey: String?
    var rows: Int64?
    var bytes: Int64?
    var parts: Int?
    var archivedAt: String?
    var droppedAt: String?
    var restoredAt: String?
    var restoredUntil: String?
    /// Whether the day's partition is in the hot store now.
    var hot: Bool
    var lastError: String?
    /// ``restoredUntil`` in Unix milliseconds (not in the JSON).
    var restoredUntilMillis: Int64? = nil

    enum CodingKeys: String, CodingKey {
        case day, state
        case manifestKey = "manifest_key"
        case rows, bytes, parts
        case archivedAt = "archived_at"
        case droppedAt = "dropped_at"
        case restoredAt = "restored_at"
        case restoredUntil = "restored_until"
        case hot
        case lastError = "last_error"
    }

    var archiveDay: ArchiveDay? { ArchiveDay(iso: day) }
}
