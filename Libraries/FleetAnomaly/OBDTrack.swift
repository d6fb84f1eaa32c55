import Foundation

/// One enviroCar track (GeoJSON FeatureCollection of OBD-II + GPS points) as time-aligned signal arrays.
///
/// Each feature's `properties.time` (ISO 8601 UTC) becomes a timestamp and each `properties.phenomenons.<name>.value`
/// a sample of the signal `<name>` ("Speed", "Rpm", "Engine Load", …). A phenomenon missing at a point is NaN there,
/// which `AnomalyDetector.observe` ignores. Points are sorted by time.
public struct OBDTrack: Sendable {
    /// A file that is not an enviroCar track.
    public struct LoadError: Error, CustomStringConvertible, Equatable {
        /// What is wrong, with the file name.
        public var description: String
    }

    /// A short name (the file name without extension).
    public var name: String
    /// Sample times, ascending.
    public var timestamps: [Date]
    /// Signal name → one value per timestamp (NaN where the point lacks that phenomenon).
    public var signals: [String: [Double]]

    /// Creates a track from parts (every signal must have one value per timestamp).
    public init(name: String, timestamps: [Date], signals: [String: [Double]]) {
        self.name = name
        self.timestamps = timestamps
        self.signals = signals
    }

    /// Loads an enviroCar GeoJSON file.
    public init(contentsOf url: URL) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw LoadError(description: "\(url.lastPathComponent): cannot read (\(error.localizedDescription))")
        }
        try self.init(data: data, name: url.deletingPathExtension().lastPathComponent)
    }

    /// Parses an enviroCar GeoJSON document.
    public init(data: Data, name: String) throws {
        func fail(_ reason: String) -> LoadError { LoadError(description: "\(name): \(reason)") }
        let root: Any
        do {
            root = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw fail("not JSON (\(error.localizedDescription))")
        }
        guard let collection = root as? [String: Any], collection["type"] as? String == "FeatureCollection",
            let features = collection["features"] as? [Any]
        else { throw fail("not a GeoJSON FeatureCollection") }

        let formatter = ISO8601DateFormatter()
        var points: [(time: Date, values: [String: Double])] = []
        points.reserveCapacity(features.count)
        for (index, feature) in features.enumerated() {
            guard let properties = (feature as? [String: Any])?["properties"] as? [String: Any] else {
                throw fail("feature \(index) has no properties")
            }
            guard let text = properties["time"] as? String, let time = formatter.date(from: text) else {
                throw fail("feature \(index) has no ISO 8601 time")
            }
            var values: [String: Double] = [:]
            for (phenomenon, entry) in properties["phenomenons"] as? [String: Any] ?? [:] {
                if let value = ((entry as? [String: Any])?["value"] as? NSNumber)?.doubleValue {
                    values[phenomenon] = value
                }
            }
            points.append((time, values))
        }
        guard !points.isEmpty else { throw fail("no features") }
        points.sort { $0.time < $1.time }

        let names = Set(points.flatMap(\.values.keys))
        self.name = name
        timestamps = points.map(\.time)
        signals = Dictionary(uniqueKeysWithValues: names.map { signal in (signal, points.map { $0.values[signal] ?? .nan }) })
    }

    /// The samples of one signal (all NaN when the track lacks it).
    public func values(_ signal: String) -> [Double] {
        signals[signal] ?? Array(repeating: .nan, count: timestamps.count)
    }

    /// Driving time in hours: the sum of the gaps between samples, each capped at 60 s so a pause does not count.
    public var drivingHours: Double {
        zip(timestamps, timestamps.dropFirst()).reduce(0) { total, pair in
            total + min(pair.1.timeIntervalSince(pair.0), 60)
        } / 3600
    }
}
