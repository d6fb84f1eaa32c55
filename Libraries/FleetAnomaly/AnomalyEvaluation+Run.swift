import FleetCore
import Foundation

extension AnomalyEvaluation {
    /// Loads the tracks (the first is the calibration track) and evaluates them; see `AnomalyEvaluation`.
    public static func run(tracks: [URL], seed: UInt64, replicates: Int = 10) throws -> Report {
        try run(tracks: tracks.map(OBDTrack.init(contentsOf:)), seed: seed, replicates: replicates)
    }

    /// Evaluates loaded tracks (the first is the calibration track).
    public static func run(tracks: [OBDTrack], seed: UInt64, replicates: Int = 10) -> Report {
        var figures: [TrackFigures] = []
        for (trackIndex, track) in tracks.enumerated() {
            var clean: [AnomalyKind: Int] = [:]
            var kinds: [AnomalyKind: KindFigures] = [:]
            var signalKinds: [String: [AnomalyKind: KindFigures]] = [:]
            for (signalIndex, signal) in signals.enumerated() {
                for finding in replay(track, signal: signal, replacing: nil) { clean[finding.kind, default: 0] += 1 }
                for (kindIndex, kind) in AnomalyKind.allCases.enumerated() {
                    if kind == .stuck, signal.contextSignal == nil { continue }
                    for replicate in 0..<replicates {
                        var random = SplitMix64(
                            seed: seed ^ UInt64(trackIndex) << 48 ^ UInt64(signalIndex) << 32 ^ UInt64(kindIndex) << 24
                                ^ UInt64(replicate))
                        guard let injected = inject(kind, into: track, signal: signal, random: &random) else { continue }
                        let found = replay(track, signal: signal, replacing: injected.values)
                        let figures = score(found, against: injected, track: track)
                        kinds[kind, default: KindFigures()].add(figures)
                        signalKinds[signal.name, default: [:]][kind, default: KindFigures()].add(figures)
                    }
                }
            }
            figures.append(
                TrackFigures(
                    name: track.name, role: trackIndex == 0 ? "calibration" : "held-out", samples: track.timestamps.count,
                    hours: track.drivingHours, cleanFindings: clean, kinds: kinds, signalKinds: signalKinds))
        }
        return Report(seed: seed, replicates: replicates, tracks: figures)
    }

    /// A finding with the index of the observation that returned it.
    struct Located {
        var index: Int
        var kind: AnomalyKind
    }

    /// Replays one signal of a track through a fresh detector; `replacing` substitutes the signal's values (an
    /// injected copy) while the context still comes from the track's other signals.
    static func replay(_ track: OBDTrack, signal: Signal, replacing: [Double]?) -> [Located] {
        let values = replacing ?? track.values(signal.name)
        let speed = signal.name == "Speed" ? values : track.values("Speed")
        let reference = signal.contextSignal.map { $0 == "Speed" ? speed : track.values($0) }
        var detector = AnomalyDetector(configuration: signal.configuration)
        var found: [Located] = []
        for index in values.indices {
            let idle = speed[index] < idleSpeed
            var moving: Bool?
            if let reference, index > 0 {
                let change = abs(reference[index] - reference[index - 1])
                moving = change.isFinite ? change > signal.contextChange && !idle : nil
            }
            if let finding = detector.observe(values[index], context: AnomalyContext(moving: moving, idle: idle)) {
                found.append(Located(index: index, kind: finding.kind))
            }
        }
        return found
    }

    /// Scores the findings on one injected copy.
    static func score(_ found: [Located], against event: Injection, track: OBDTrack) -> KindFigures {
        var figures = KindFigures(events: 1)
        var first: Int?
        for finding in found {
            if event.window.contains(finding.index) {
                guard finding.kind == event.kind else { continue }
                figures.truePositives += 1
                first = first ?? finding.index
            } else if finding.kind == event.kind {
                figures.falsePositives += 1
            }
        }
        if let first {
            figures.detected = 1
            figures.delaysSeconds = [track.timestamps[first].timeIntervalSince(track.timestamps[event.start])]
        }
        return figures
    }
}
