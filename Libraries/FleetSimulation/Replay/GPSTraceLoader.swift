public import Foundation
import FleetGeo

/// Reads the real GPS traces in `shared/data/gps_traces` (see its README).
public enum GPSTraceLoader {
    /// The Porto taxi data set has no timestamps; its sampling interval is 15 s.
    public static let portoIntervalSeconds = 15.0

    /// The data sets the loader understands.
    public enum Source: String, Hashable, Sendable, CaseIterable {
        /// `porto_taxi/porto_raw_trajectory.txt`: `id<TAB>[[lon,lat],…]`, one point per 15 s.
        case porto
        /// `hof_fcd/points.csv`: `id,time,geometry` with WKT `POINT (lon lat)` and UTC timestamps.
        case hof

        /// The file of this data set below the `gps_traces` directory.
        public var relativePath: String {
            switch self {
            case .porto: "porto_taxi/porto_raw_trajectory.txt"
            case .hof: "hof_fcd/points.csv"
            }
        }
    }

    /// Loads every trace with at least two points from `url`.
    /// - Throws: ``SimulationError`` if the file cannot be read or a line is malformed.
    public static func load(_ source: Source, from url: URL) throws(SimulationError) -> [GPSTrace] {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw SimulationError("cannot read \(url.path): \(error.localizedDescription)")
        }
        switch source {
        case .porto: return try porto(text)
        case .hof: return try hof(text)
        }
    }

    /// Parses the Porto format.
    public static func porto(_ text: String) throws(SimulationError) -> [GPSTrace] {
        var traces: [GPSTrace] = []
        for (number, line) in text.split(whereSeparator: \.isNewline).enumerated() {
            let parts = line.split(separator: "\t", maxSplits: 1)
            guard parts.count == 2 else { throw SimulationError("porto line \(number + 1): expected id<TAB>[[lon,lat],…]") }
            let numbers = parts[1].split(whereSeparator: { "[], ".contains($0) }).map { Double($0) }
            guard numbers.count % 2 == 0, numbers.allSatisfy({ $0 != nil }) else {
                throw SimulationError("porto line \(number + 1): malformed coordinate list")
            }
            var points: [GPSTrace.Point] = []
            for pair in stride(from: 0, to: numbers.count, by: 2) {
                let coordinate = GeoCoordinate(latitude: numbers[pair + 1]!, longitude: numbers[pair]!)
                try check(coordinate, line: number + 1)
                points.append(GPSTrace.Point(coordinate: coordinate, seconds: Double(points.count) * portoIntervalSeconds))
            }
            if points.count >= 2 { traces.append(GPSTrace(sourceID: String(parts[0]), points: points)) }
        }
        return traces
    }

    /// Parses the Hof floating-car-data CSV.
    public static func hof(_ text: String) throws(SimulationError) -> [GPSTrace] {
        var byTrack: [String: [(time: Double, coordinate: GeoCoordinate)]] = [:]
        var order: [String] = []
        for (number, line) in text.split(whereSeparator: \.isNewline).enumerated() where number > 0 {
            let fields = line.split(separator: ",", maxSplits: 2)
            guard fields.count == 3, let time = timestamp(fields[1]) else {
                throw SimulationError("hof line \(number + 1): expected id,YYYY-MM-DD HH:MM:SS+00:00,POINT (lon lat)")
            }
            let inner = fields[2].drop { $0 != "(" }.dropFirst().prefix { $0 != ")" }
            let values = inner.split(separator: " ").compactMap { Double($0) }
            guard values.count == 2 else { throw SimulationError("hof line \(number + 1): malformed POINT") }
            let coordinate = GeoCoordinate(latitude: values[1], longitude: values[0])
            try check(coordinate, line: number + 1)
            let id = String(fields[0])
            if byTrack[id] == nil { order.append(id) }
            byTrack[id, default: []].append((time, coordinate))
        }
        return order.compactMap { id in
            let points = byTrack[id, default: []].sorted { $0.time < $1.time }
            guard points.count >= 2, let first = points.first?.time else { return nil }
            return GPSTrace(sourceID: id, points: points.map { GPSTrace.Point(coordinate: $0.coordinate, seconds: $0.time - first) })
        }
    }

    static func check(_ coordinate: GeoCoordinate, line: Int) throws(SimulationError) {
        guard (-90...90).contains(coordinate.latitude), (-180...180).contains(coordinate.longitude) else {
            throw SimulationError("line \(line): coordinate \(coordinate) out of range")
        }
    }

    /// Seconds since the epoch of `YYYY-MM-DD HH:MM:SS+00:00` (UTC only).
    static func timestamp(_ text: Substring) -> Double? {
        let digits = text.split(whereSeparator: { "- :+".contains($0) }).compactMap { Int($0) }
        guard digits.count >= 6, text.hasSuffix("+00:00") else { return nil }
        var components = DateComponents()
        components.year = digits[0]
        components.month = digits[1]
        components.day = digits[2]
        components.hour = digits[3]
        components.minute = digits[4]
        components.second = digits[5]
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(from: components)?.timeIntervalSince1970
    }
}
