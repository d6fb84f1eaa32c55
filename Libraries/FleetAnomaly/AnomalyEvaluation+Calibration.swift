import FleetCore
import Foundation

extension AnomalyEvaluation {
    /// The largest raw statistics each signal reaches on a clean track with alarms disabled: how the thresholds of
    /// `AnomalyConfiguration.default` and `.slowSignal` were chosen (on track_1 only). One line per signal:
    /// `calibrate <track> <signal> spike_max=… drift_max=… stuck_repeats_max=…`.
    public static func calibrationLines(track url: URL) throws -> [String] {
        let track = try OBDTrack(contentsOf: url)
        return signals.map { signal in
            var configuration = signal.configuration
            configuration.spikeThreshold = .infinity
            configuration.driftThreshold = .infinity
            configuration.stuckSamples = 0
            let values = track.values(signal.name)
            let speed = track.values("Speed")
            let reference = signal.contextSignal.map { track.values($0) }
            var detector = AnomalyDetector(configuration: configuration)
            var spike = 0.0, drift = 0.0, repeats = 0
            for index in values.indices {
                let idle = speed[index] < idleSpeed
                var moving: Bool?
                if let reference, index > 0 {
                    let change = abs(reference[index] - reference[index - 1])
                    moving = change.isFinite ? change > signal.contextChange && !idle : nil
                }
                let step = detector.step(values[index], context: AnomalyContext(moving: moving, idle: idle))
                if detector.isWarmedUp {
                    spike = max(spike, step.spikeScore)
                    drift = max(drift, step.driftScore)
                    repeats = max(repeats, step.repeats)
                }
            }
            return "calibrate \(track.name) \(signal.name.replacingOccurrences(of: " ", with: "_")) "
                + "spike_max=\(fixed(spike)) drift_max=\(fixed(drift)) stuck_repeats_max=\(repeats)"
        }
    }

    /// Average wall-clock nanoseconds of one `observe` on a synthetic noisy signal with changing context, over
    /// `samples` calls (one detector, as the service keeps one per vehicle and signal).
    public static func measureObserveNanoseconds(samples: Int) -> Double {
        var random = SplitMix64(seed: 7)
        let pattern = (0..<4096).map { index in
            60 + 20 * sin(Double(index) / 50) + Double.random(in: -2...2, using: &random)
        }
        var detector = AnomalyDetector()
        var findings = 0
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            for index in 0..<max(samples, 1) {
                let context = AnomalyContext(moving: index & 1 == 0, idle: false)
                if detector.observe(pattern[index & 4095], context: context) != nil { findings += 1 }
            }
        }
        // Keeps the loop observable so it is not optimised away.
        if findings < 0 { print(findings) }
        let nanoseconds = Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
        return nanoseconds / Double(max(samples, 1))
    }
}
