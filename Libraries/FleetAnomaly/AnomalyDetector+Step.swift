extension AnomalyDetector {
    /// What one step computed, before thresholds: the evaluation's calibration reads the raw statistics.
    struct Step {
        var finding: AnomalyFinding?
        /// The two-sided jump of the previous sample in innovation scales (0 unless the signs reverse).
        var spikeScore: Double = 0
        /// The larger Page-Hinkley statistic after this step (0 while warming up or idle).
        var driftScore: Double = 0
        /// Repeats counted while the context moved.
        var repeats: Int = 0
    }

    // Expected-range helpers live next to the step so the thresholds stay in one place.
    private var deviation: Double {
        max(variance.squareRoot(), Double(settings.resolution), 1e-9)
    }

    mutating func step(_ value: Double, context: AnomalyContext) -> Step {
        var result = Step()
        guard value.isFinite else { return result }
        guard flags & 1 != 0 else {
            // First sample: nothing to compare with yet.
            previous = value
            mean = value
            flags = 1
            return result
        }
        let warmed = isWarmedUp
        let delta = value - previous
        let resolution = Double(settings.resolution)
        let scale = max(stepScale * 1.2533, resolution, 1e-9 * max(1, abs(mean)))
        active &= ~AnomalyKind.spike.bit

        // Spike on the previous sample: it jumped one way and this sample jumped back.
        var confirmed = previous
        var confirmedIsSpike = false
        if flags & 2 != 0 {
            let before = previousStep
            if before * delta < 0 {
                result.spikeScore = min(abs(before), abs(delta)) / scale
                if warmed, result.spikeScore >= Double(settings.spikeThreshold) {
                    let expected = (previous - before + value) / 2
                    let halfWidth = Double(settings.spikeThreshold) * scale
                    result.finding = AnomalyFinding(
                        kind: .spike, score: result.spikeScore / Double(settings.spikeThreshold), value: previous,
                        expectedLower: expected - halfWidth, expectedUpper: expected + halfWidth)
                    active |= AnomalyKind.spike.bit
                    confirmed = expected
                    confirmedIsSpike = true
                }
            }
        }

        // Stuck: exact repeats count only while the context moves; any change clears.
        if delta == 0 {
            if context.moving == true, repeats < UInt16.max { repeats += 1 }
        } else {
            repeats = 0
            active &= ~AnomalyKind.stuck.bit
        }
        result.repeats = Int(repeats)
        let stuckLimit = Int(settings.stuckSamples)
        let stuckActive = active & AnomalyKind.stuck.bit != 0
        if stuckLimit > 0, Int(repeats) >= stuckLimit, !stuckActive, warmed, result.finding == nil {
            active |= AnomalyKind.stuck.bit
            let band = Double(settings.expectedBand) * deviation
            result.finding = AnomalyFinding(
                kind: .stuck, score: Double(repeats) / Double(stuckLimit), value: value,
                expectedLower: mean - band, expectedUpper: mean + band)
        }

        // Drift and learning on the confirmed previous sample (one sample late, after spike replacement).
        let learns = !context.idle && active & AnomalyKind.stuck.bit == 0 && repeats == 0
        if learns, flags & 2 != 0 || learned == 0 {
            // A running mean while few samples are in, so the warm-up estimates are not biased towards the first sample.
            let alpha = max(Double(settings.smoothing), 1 / Double(learned + 1))
            let residual = confirmed - mean
            let sd = deviation
            if warmed {
                let clip = Double(settings.driftClip)
                let z = min(max(residual / sd, -clip), clip)
                let slack = Double(settings.driftSlack)
                driftUp = max(0, driftUp + z - slack)
                driftDown = max(0, driftDown - z - slack)
                result.driftScore = max(driftUp, driftDown)
                // A drift clears once the level (not one noisy sample) is back within one standard deviation of the
                // level it left.
                if active & AnomalyKind.drift.bit != 0, abs(mean - referenceMean) <= referenceDeviation {
                    active &= ~AnomalyKind.drift.bit
                }
                if result.driftScore >= Double(settings.driftThreshold), result.finding == nil,
                    active & AnomalyKind.drift.bit == 0
                {
                    result.finding = AnomalyFinding(
                        kind: .drift, score: result.driftScore / Double(settings.driftThreshold), value: confirmed,
                        expectedLower: mean - sd, expectedUpper: mean + sd)
                    active |= AnomalyKind.drift.bit
                    referenceMean = mean
                    referenceDeviation = sd
                    // Restart from the new level; keep the variance so the next drift is judged on the same scale.
                    mean = confirmed
                    driftUp = 0
                    driftDown = 0
                }
            }
            if result.finding?.kind != .drift {
                mean += alpha * residual
                variance = (1 - alpha) * (variance + alpha * residual * residual)
            }
            if flags & 2 != 0, !confirmedIsSpike {
                let step = abs(previousStep)
                stepScale += alpha * (step - stepScale)
            }
            if learned < UInt32.max { learned += 1 }
        }

        previousStep = value - confirmed
        previous = value
        flags |= 2
        return result
    }
}
