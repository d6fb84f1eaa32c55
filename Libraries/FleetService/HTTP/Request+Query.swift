import Foundation
import Hummingbird

/// Query parameters, parsed the same way by every service: absent means the default, and a present but malformed
/// value is a 400 that names the parameter and says what it must be.
extension Request {
    /// The raw value of `name`, if present.
    public func query(_ name: String) -> String? {
        uri.queryParameters.get(name).map { String($0) }
    }

    /// An integer within `range`.
    public func integer(_ name: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
        guard let raw = query(name) else { return value }
        guard let parsed = Int(raw), range.contains(parsed) else {
            throw Self.invalidQuery(name, "an integer in \(range.lowerBound)...\(range.upperBound)")
        }
        return parsed
    }

    /// An optional integer within `range`.
    public func integer(_ name: String, range: ClosedRange<Int>) throws -> Int? {
        guard query(name) != nil else { return nil }
        return try integer(name, default: range.lowerBound, range: range)
    }

    /// `?limit=`: `default` when absent, within `1...max`.
    public func limit(default value: Int, max: Int) throws -> Int {
        try integer("limit", default: value, range: 1...max)
    }

    /// A number within `range`.
    public func number(_ name: String, range: ClosedRange<Double>) throws -> Double? {
        guard let raw = query(name) else { return nil }
        guard let parsed = Double(raw), parsed.isFinite, range.contains(parsed) else {
            throw Self.invalidQuery(name, "a number in \(range.lowerBound)...\(range.upperBound)")
        }
        return parsed
    }

    /// One of an enumeration's raw values.
    public func enumeration<E: RawRepresentable & CaseIterable>(_ name: String, as type: E.Type) throws -> E? where E.RawValue == String {
        guard let raw = query(name) else { return nil }
        guard let value = E(rawValue: raw) else {
            throw Self.invalidQuery(name, "one of \(E.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }

    /// `true`/`false` (also `1`/`0`).
    public func boolean(_ name: String) throws -> Bool? {
        guard let raw = query(name) else { return nil }
        switch raw.lowercased() {
        case "true", "1": return true
        case "false", "0": return false
        default: throw Self.invalidQuery(name, "true or false")
        }
    }

    /// A time given as milliseconds since the epoch or as ISO 8601 (`2026-11-23T10:00:00Z`, fractions allowed).
    public func timeMillis(_ name: String, default value: Int64) throws -> Int64 {
        guard query(name) != nil else { return value }
        return try timeMillis(name) ?? value
    }

    /// An optional time, as for ``timeMillis(_:default:)``.
    public func timeMillis(_ name: String) throws -> Int64? {
        guard let raw = query(name) else { return nil }
        guard let millis = Self.parseTimeMillis(raw) else {
            throw Self.invalidQuery(name, "milliseconds since the epoch or an ISO 8601 time")
        }
        return millis
    }

    /// Milliseconds since the epoch given as such or as ISO 8601 (years 0001-9999), or nil; shared by query parameters
    /// and JSON bodies that take the same time values.
    public static func parseTimeMillis(_ raw: String) -> Int64? {
        if let millis = Int64(raw) { return millis }
        if let date = parseISO8601(raw) { return Int64((date.timeIntervalSince1970 * 1000).rounded()) }
        return nil
    }

    /// An optional ISO 8601 time (or milliseconds since the epoch).
    public func date(_ name: String) throws -> Date? {
        try timeMillis(name).map { Date(timeIntervalSince1970: Double($0) / 1000) }
    }

    /// `?bbox=minLon,minLat,maxLon,maxLat` (the GeoJSON order), within the globe and not inverted.
    public func boundingBox(_ name: String = "bbox") throws -> BoundingBox? {
        guard let raw = query(name) else { return nil }
        guard let box = BoundingBox(parsing: raw) else {
            throw Self.invalidQuery(name, "minLon,minLat,maxLon,maxLat within the globe")
        }
        return box
    }

    /// An opaque paging cursor (the previous page's `next_…` value): 1–256 characters.
    public func cursor(_ name: String) throws -> String? {
        guard let raw = query(name) else { return nil }
        guard (1...256).contains(raw.count) else { throw Self.invalidQuery(name, "a cursor of 1-256 characters") }
        return raw
    }

    /// Any other rule about `name`: "query parameter 'name' must be `requirement`".
    public static func invalidQuery(_ name: String, _ requirement: String) -> HTTPError {
        HTTPError(.badRequest, message: "query parameter '\(name)' must be \(requirement)")
    }

    private static func parseISO8601(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: .iso8601) { return date }
        return try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
