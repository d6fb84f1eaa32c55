import Foundation
import Hummingbird

/// Strict query-parameter parsing: a present but malformed value is a 400 naming the parameter.
extension Request {
    func integer(_ name: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
        guard let raw = uri.queryParameters.get(name) else { return value }
        guard let parsed = Int(raw), range.contains(parsed) else {
            throw HTTPError(.badRequest, message: "query parameter '\(name)' must be an integer in \(range.lowerBound)...\(range.upperBound)")
        }
        return parsed
    }

    /// A time given as milliseconds since the epoch or as ISO 8601 (`2026-11-23T10:00:00Z`).
    func timeMillis(_ name: String, default value: Int64) throws -> Int64 {
        guard let raw = uri.queryParameters.get(name) else { return value }
        if let millis = Int64(raw) { return millis }
        if let date = try? Date(raw, strategy: .iso8601) { return Int64(date.timeIntervalSince1970 * 1000) }
        if let date = try? Date(raw, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) {
            return Int64(date.timeIntervalSince1970 * 1000)
        }
        throw HTTPError(.badRequest, message: "query parameter '\(name)' must be milliseconds since the epoch or an ISO 8601 time")
    }

    func boundingBox() throws -> BoundingBox? {
        guard let raw = uri.queryParameters.get("bbox") else { return nil }
        guard let box = BoundingBox(parsing: raw) else {
            throw HTTPError(.badRequest, message: "query parameter 'bbox' must be minLon,minLat,maxLon,maxLat within the globe")
        }
        return box
    }
}
