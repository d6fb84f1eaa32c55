import Foundation
import Testing

@testable import FleetTracking

@Suite("Trip segmentation")
struct TripSegmenterTests {
    /// Tracks of the Hof floating-car data (real GPS, 2018–2019), keyed by track id.
    static func hofTracks() throws -> [Int: [PositionSample]] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../shared/data/gps_traces/hof_fcd/points.csv")
        let text = try String(contentsOf: url, encoding: .utf8)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ssXXXXX"
        var tracks: [Int: [PositionSample]] = [:]
        for line in text.split(separator: "\n").dropFirst() {
            let parts = line.split(separator: ",", maxSplits: 2)
            guard parts.count == 3, let id = Int(parts[0]), let date = formatter.date(from: String(parts[1])) else { continue }
            let coordinates = parts[2].drop { $0 != "(" }.dropFirst().prefix { $0 != ")" }.split(separator: " ").compactMap { Double($0) }
            guard coordinates.count == 2 else { continue }
            let sample = PositionSample(
                seq: Int64(tracks[id, default: []].count + 1), deviceTimeMillis: Int64(date.timeIntervalSince1970 * 1000),
                latitude: coordinates[1], longitude: coordinates[0], speedMetersPerSecond: 0, headingDegrees: 0, odometerMeters: 0,
                status: "moving")
            tracks[id, default: []].append(sample)
        }
        return tracks
    }

    static func length(_ samples: [PositionSample]) -> Double {
        zip(samples, samples.dropFirst()).reduce(0) { total, pair in
            total + TripSegmenter.distance((pair.0.latitude, pair.0.longitude), (pair.1.latitude, pair.1.longitude))
        }
    }

    @Test("Two real Hof drives separated by a 20-minute stop become two trips and one stop")
    func hofTrace() throws {
        let tracks = try Self.hofTracks()
        #expect(tracks.count == 263)
        // The two longest drives (by path length) of the data set.
        // The two longest drives (by path length) that are one trip each on their own: some real tracks
        // contain a stop of several minutes, which the segmenter rightly splits (checked below).
        let segmenter = TripSegmenter()
        let alone = tracks.values.map { ($0, segmenter.segment($0)) }
        #expect(alone.contains { $0.1.stops.count >= 1 && $0.1.trips.count >= 2 })
        let drives = alone.filter { $0.1.trips.count == 1 && $0.1.stops.isEmpty && Self.length($0.0) > 1_000 }.map(\.0)
            .sorted { Self.length($0) > Self.length($1) }.prefix(2).map { $0 }
        try #require(drives.count == 2)
        var first = drives[0]
        let end = first.last!
        // Parked where the first drive ended: 20 minutes of fixes jittering by a few metres.
        var parked: [PositionSample] = []
        for minute in 1...20 {
            var fix = end
            fix.deviceTimeMillis = end.deviceTimeMillis + Int64(minute) * 60_000
            fix.latitude += (minute % 2 == 0 ? 1 : -1) * 0.00002
            parked.append(fix)
        }
        // The second drive, shifted in time to start after the stop and in space to start where the car is.
        let offset = (parked.last!.deviceTimeMillis + 60_000) - drives[1][0].deviceTimeMillis
        let dLat = end.latitude - drives[1][0].latitude
        let dLon = end.longitude - drives[1][0].longitude
        let second = drives[1].map { sample in
            var moved = sample
            moved.deviceTimeMillis += offset
            moved.latitude += dLat
            moved.longitude += dLon
            return moved
        }
        first += parked + second
        let segmentation = segmenter.segment(first)
        #expect(segmentation.trips.count == 2)
        #expect(segmentation.stops.count == 1)
        let stop = try #require(segmentation.stops.first)
        #expect(stop.durationS >= 20 * 60)
        // Trip distances are the real path lengths (within the few metres around the stop boundary).
        #expect(abs(segmentation.trips[0].distanceM - Self.length(drives[0])) < 100)
        #expect(abs(segmentation.trips[1].distanceM - Self.length(second)) < 100)
        #expect(segmentation.trips[0].endMs <= stop.startMs + 60_000)
    }

    @Test("A parked vehicle with GPS jitter has no trips")
    func parked() {
        let samples = (0..<60).map { i in
            PositionSample(
                seq: Int64(i), deviceTimeMillis: Int64(i) * 10_000, latitude: 43.73 + Double(i % 3) * 0.00005, longitude: 7.42,
                speedMetersPerSecond: 0, headingDegrees: 0, odometerMeters: 0, status: "idle")
        }
        let segmentation = TripSegmenter().segment(samples)
        #expect(segmentation.trips.isEmpty)
        #expect(segmentation.stops.count == 1)
    }
}
