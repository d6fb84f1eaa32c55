import FleetCore
import Foundation

extension AnomalyEvaluation {
    /// One labelled fault injected into a copy of a signal.
    struct Injection {
        var kind: AnomalyKind
        /// The first faulty sample.
        var start: Int
        /// Observation indices at which a finding of `kind` counts (a spike is reported one sample late).
        var window: ClosedRange<Int>
        /// The signal with the fault.
        var values: [Double]
    }

    /// Draws one fault of `kind` at a random position after the warm-up:
    /// - spike: one sample moved by k·σΔ, k ~ U[4, 10], σΔ the standard deviation of the clean signal's sample-to-sample
    ///   change (at least 3 quanta), random sign (upwards when downwards would go negative);
    /// - drift: an offset ramping to k·σ over `driftRamp` samples, k ~ U[1, 2], σ the clean signal's standard deviation,
    ///   at least 3 quanta, random sign, then held to the end of the track;
    /// - stuck: the value at a moving moment (speed > 10 km/h) held for `stuckLength` further samples.
    /// Returns nil when the track is too short for the fault.
    static func inject(_ kind: AnomalyKind, into track: OBDTrack, signal: Signal, random: inout SplitMix64)
        -> Injection?
    {
        var values = track.values(signal.name)
        let count = values.count
        let earliest = signal.configuration.warmupSamples + 10
        let finite = values.filter(\.isFinite)
        let steps = zip(values, values.dropFirst()).map { $1 - $0 }.filter(\.isFinite)
        guard finite.count > earliest else { return nil }

        switch kind {
        case .spike:
            guard count - 3 > earliest else { return nil }
            guard let position = drawPosition(in: earliest...(count - 3), random: &random, where: { values[$0].isFinite })
            else { return nil }
            let size = max(Double.random(in: 4...10, using: &random) * deviation(steps), 3 * signal.configuration.resolution)
            var sign: Double = Bool.random(using: &random) ? 1 : -1
            if signal.nonNegative, values[position] - size < 0 { sign = 1 }
            values[position] += sign * size
            return Injection(kind: kind, start: position, window: position...(position + 2), values: values)

        case .drift:
            let last = count - driftRamp - driftTolerance
            guard last > earliest else { return nil }
            let start = Int.random(in: earliest...last, using: &random)
            let offset = max(Double.random(in: 1...2, using: &random) * deviation(finite), 3 * signal.configuration.resolution)
            let sign: Double = Bool.random(using: &random) ? 1 : -1
            for index in start..<count {
                values[index] += sign * offset * min(1, Double(index - start + 1) / Double(driftRamp))
                if signal.nonNegative { values[index] = max(values[index], 0) }
            }
            return Injection(
                kind: kind, start: start, window: start...(start + driftRamp + driftTolerance), values: values)

        case .stuck:
            let speed = track.values("Speed")
            guard count - stuckLength - 3 > earliest else { return nil }
            guard
                let start = drawPosition(in: earliest...(count - stuckLength - 3), random: &random, where: {
                    values[$0].isFinite && speed[$0] > 10
                })
            else { return nil }
            for index in (start + 1)...(start + stuckLength) { values[index] = values[start] }
            return Injection(
                kind: kind, start: start + 1, window: (start + 1)...(start + stuckLength + 2), values: values)
        }
    }

    /// A uniformly drawn index satisfying `accept`, or nil after 1,000 tries.
    private static func drawPosition(
        in range: ClosedRange<Int>, random: inout SplitMix64, where accept: (Int) -> Bool
    ) -> Int? {
        for _ in 0..<1000 {
            let index = Int.random(in: range, using: &random)
            if accept(index) { return index }
        }
        return nil
    }
}

/// Population standard deviation.
func deviation(_ values: [Double]) -> Double {
    guard !values.isEmpty else { return 0 }
    let mean = values.reduce(0, +) / Double(values.count)
    return (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)).squareRoot()
}
