import Foundation

/// Splits a vehicle's position history into trips and the stops between them.
///
/// A stop is a stretch of at least `minStopSeconds` during which the vehicle stays within
/// `stopRadiusMeters` of where it stopped; everything between two stops is a trip. Trips shorter
/// than `minTripMeters` (GPS jitter around a parked vehicle) are folded into the stop.
struct TripSegmenter: Sendable {
    var stopRadiusMeters = 50.0
    var minStopSeconds = 180.0
    var minTripMeters = 200.0
    /// A silence longer than this also ends a trip (the vehicle was off or out of coverage).
    var maxGapSeconds = 900.0

    struct Trip: Sendable, Codable, Equatable {
        var startMs: Int64
        var endMs: Int64
        var start: [Double]
        var end: [Double]
        var distanceM: Double
        var durationS: Double
        var maxSpeedMps: Double
        var points: Int

        var averageSpeedMps: Double { durationS > 0 ? distanceM / durationS : 0 }

        enum CodingKeys: String, CodingKey {
            case start, end, points
            case startMs = "start_ms"
            case endMs = "end_ms"
            case distanceM = "distance_m"
            case durationS = "duration_s"
            case maxSpeedMps = "max_speed_mps"
        }
    }

    struct Stop: Sendable, Codable, Equatable {
        var startMs: Int64
        var endMs: Int64
        var position: [Double]
        var durationS: Double

        enum CodingKeys: String, CodingKey {
            case position
            case startMs = "start_ms"
            case endMs = "end_ms"
            case durationS = "duration_s"
        }
    }

    struct Segmentation: Sendable, Codable, Equatable {
        var trips: [Trip]
        var stops: [Stop]
    }

    /// Great-circle distance in metres (haversine).
    static func distance(_ a: (lat: Double, lon: Double), _ b: (lat: Double, lon: Double)) -> Double {
        let r = 6_371_008.8
        let dLat = (b.lat - a.lat) * .pi / 180
        let dLon = (b.lon - a.lon) * .pi / 180
        let h = sin(dLat / 2) * sin(dLat / 2) + cos(a.lat * .pi / 180) * cos(b.lat * .pi / 180) * sin(dLon / 2) * sin(dLon / 2)
        return 2 * r * asin(min(1, sqrt(h)))
    }

    /// Segments `samples`, which must be sorted by device time.
    func segment(_ samples: [PositionSample]) -> Segmentation {
        guard !samples.isEmpty else { return Segmentation(trips: [], stops: []) }
        // 1. Find stops: maximal runs that stay within the radius of their first point for long enough.
        var stopRanges: [ClosedRange<Int>] = []
        var i = 0
        while i < samples.count {
            var j = i
            let anchor = (samples[i].latitude, samples[i].longitude)
            while j + 1 < samples.count,
                Self.distance(anchor, (samples[j + 1].latitude, samples[j + 1].longitude)) <= stopRadiusMeters,
                Double(samples[j + 1].deviceTimeMillis - samples[j].deviceTimeMillis) / 1000 <= maxGapSeconds
            {
                j += 1
            }
            let duration = Double(samples[j].deviceTimeMillis - samples[i].deviceTimeMillis) / 1000
            if duration >= minStopSeconds || (j + 1 < samples.count
                && Double(samples[j + 1].deviceTimeMillis - samples[j].deviceTimeMillis) / 1000 > maxGapSeconds)
            {
                stopRanges.append(i...j)
                i = j + 1
            } else {
                i += 1
            }
        }
        // 2. Trips are the stretches between stops (from the last point of one stop to the first of the next).
        var trips: [Trip] = []
        var boundaries: [(Int, Int)] = []
        var cursor = 0
        for range in stopRanges {
            if range.lowerBound > cursor { boundaries.append((cursor, range.lowerBound)) }
            cursor = range.upperBound
        }
        if cursor < samples.count - 1 { boundaries.append((cursor, samples.count - 1)) }
        for (from, to) in boundaries where to > from {
            var distance = 0.0
            var maxSpeed = 0.0
            for k in from..<to {
                distance += Self.distance((samples[k].latitude, samples[k].longitude), (samples[k + 1].latitude, samples[k + 1].longitude))
                maxSpeed = max(maxSpeed, samples[k + 1].speedMetersPerSecond)
            }
            guard distance >= minTripMeters else { continue }
            trips.append(
                Trip(
                    startMs: samples[from].deviceTimeMillis, endMs: samples[to].deviceTimeMillis,
                    start: [samples[from].longitude, samples[from].latitude], end: [samples[to].longitude, samples[to].latitude],
                    distanceM: (distance * 10).rounded() / 10,
                    durationS: Double(samples[to].deviceTimeMillis - samples[from].deviceTimeMillis) / 1000, maxSpeedMps: maxSpeed,
                    points: to - from + 1))
        }
        let stops = stopRanges.map { range in
            Stop(
                startMs: samples[range.lowerBound].deviceTimeMillis, endMs: samples[range.upperBound].deviceTimeMillis,
                position: [samples[range.lowerBound].longitude, samples[range.lowerBound].latitude],
                durationS: Double(samples[range.upperBound].deviceTimeMillis - samples[range.lowerBound].deviceTimeMillis) / 1000)
        }
        return Segmentation(trips: trips, stops: stops)
    }
}
