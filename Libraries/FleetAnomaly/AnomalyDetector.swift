/// A streaming anomaly detector for one signal of one vehicle, with O(1) state (`MemoryLayout<AnomalyDetector>.size`
/// is 112 bytes on 64-bit platforms) and no allocation per sample.
///
/// Each `observe` does three checks:
/// - **spike**: the previous sample is a spike when it jumped away from its predecessor and the current sample jumped
///   back (opposite signs), both by more than `spikeThreshold` innovation scales (1.2533 × EWMA of |Δ|, a robust σ of
///   the sample-to-sample change, floored at `resolution`). So a spike is reported one sample late, `value` being the
///   spiked sample; a step that stays is not a spike. The spiked sample is replaced by the mean of its neighbours
///   before anything learns from it, so spikes never poison the state.
/// - **drift**: two-sided Page-Hinkley (CUSUM form) on the residual of each confirmed sample against the EWMA level,
///   in units of the EWMA standard deviation, clipped to ±`driftClip`. On alarm the statistic resets and the level
///   restarts from the current sample; the drift stays active until the EWMA level is back within one standard deviation
///   of the level it left (that level ± one standard deviation is the finding's expected range).
/// - **stuck**: exactly repeated samples are counted while `context.moving == true` (held otherwise); at
///   `stuckSamples` repeats the signal is stuck until its value changes. Stuck samples are not learned.
///
/// Findings are reported once per onset: a persisting drift or stuck condition does not repeat its finding. Use
/// `isAnomalous` / `activeKinds` to see whether a condition persists and to emit "cleared" on the transition back.
/// A spike is active only until the next sample. Non-finite samples (NaN, ±∞) are ignored: `observe` returns nil and
/// leaves the state untouched. No finding is returned during the first `warmupSamples` learned samples.
public struct AnomalyDetector: Sendable, Equatable {
    var settings: Settings
    /// Samples learned so far (saturating).
    var learned: UInt32 = 0
    /// Identical samples counted while the context moved.
    var repeats: UInt16 = 0
    /// Bit 0: a previous sample exists; bit 1: `previousStep` is valid.
    var flags: UInt8 = 0
    /// Active kinds as `AnomalyKind.bit`s.
    var active: UInt8 = 0
    /// The last sample as observed (spikes included), the base of the next step and of the stuck comparison.
    var previous: Double = 0
    /// previous − the sample before it (after spike replacement).
    var previousStep: Double = 0
    /// EWMA of |Δ| of confirmed samples.
    var stepScale: Double = 0
    /// EWMA level and variance of confirmed samples.
    var mean: Double = 0
    var variance: Double = 0
    /// Page-Hinkley statistics for an upward and a downward drift.
    var driftUp: Double = 0
    var driftDown: Double = 0
    /// The level and standard deviation learned before the active drift.
    var referenceMean: Double = 0
    var referenceDeviation: Double = 0

    /// Creates a detector in its warm-up phase.
    public init(configuration: AnomalyConfiguration = .default) {
        settings = Settings(configuration)
    }

    /// The configuration (its thresholds are stored as `Float` to keep the state small).
    public var configuration: AnomalyConfiguration { settings.configuration }

    /// Whether any anomaly is active: a spike on the last confirmed sample, an uncleared drift, or a stuck value.
    public var isAnomalous: Bool { active != 0 }

    /// The kinds active now, in `AnomalyKind.allCases` order.
    public var activeKinds: [AnomalyKind] { AnomalyKind.allCases.filter { active & $0.bit != 0 } }

    /// Whether the warm-up is over and findings can be returned.
    public var isWarmedUp: Bool { learned >= UInt32(settings.warmupSamples) }

    /// Scores one sample; returns the finding of an anomaly onset, or nil when the signal is normal, when a condition
    /// merely persists, during warm-up, or when `value` is not finite.
    public mutating func observe(_ value: Double, context: AnomalyContext = .none) -> AnomalyFinding? {
        step(value, context: context).finding
    }
}
