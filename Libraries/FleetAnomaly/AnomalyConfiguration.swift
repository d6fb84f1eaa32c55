/// Thresholds and rates of one `AnomalyDetector`.
///
/// The thresholds of `default` and `slowSignal(resolution:)` were fixed on the clean enviroCar track_1 only (the
/// largest statistic seen in normal driving, plus a margin); see docs/health-anomaly.md for the calibration and the
/// command that reproduces it.
public struct AnomalyConfiguration: Sendable, Equatable {
    /// Samples (outside idle) learned before any alarm; also the length of the learning phase after creation.
    public var warmupSamples: Int
    /// EWMA weight of a new sample for the level, its variance and the innovation scale (0 < α < 1).
    public var smoothing: Double
    /// Spike alarm when a confirmed two-sided jump exceeds this many innovation scales.
    public var spikeThreshold: Double
    /// Page-Hinkley slack δ in z units: residuals smaller than this never accumulate drift evidence.
    public var driftSlack: Double
    /// Page-Hinkley alarm threshold λ in z units (sum of clipped z − δ).
    public var driftThreshold: Double
    /// Residual z values are clipped to ±this before they enter the drift statistic, so one outlier cannot alarm.
    public var driftClip: Double
    /// Identical samples while the context moves before `stuck` fires; 0 disables stuck detection.
    public var stuckSamples: Int
    /// Sensor quantum (e.g. 1 for integer °C): the floor of every scale, so quantisation flicker is not an anomaly.
    public var resolution: Double
    /// Half-width, in standard deviations, of the expected range reported with a stuck finding.
    public var expectedBand: Double

    /// Creates a configuration.
    public init(
        warmupSamples: Int, smoothing: Double, spikeThreshold: Double, driftSlack: Double, driftThreshold: Double,
        driftClip: Double, stuckSamples: Int, resolution: Double, expectedBand: Double
    ) {
        self.warmupSamples = warmupSamples
        self.smoothing = smoothing
        self.spikeThreshold = spikeThreshold
        self.driftSlack = driftSlack
        self.driftThreshold = driftThreshold
        self.driftClip = driftClip
        self.stuckSamples = stuckSamples
        self.resolution = resolution
        self.expectedBand = expectedBand
    }

    /// For fast driving signals (speed, rpm, engine load, manifold pressure, air flow) sampled every few seconds.
    public static let `default` = AnomalyConfiguration(
        warmupSamples: 24, smoothing: 0.05, spikeThreshold: 4.5, driftSlack: 1, driftThreshold: 13,
        driftClip: 2, stuckSamples: 6, resolution: 0, expectedBand: 4)

    /// For slow, quantised signals (temperatures, battery or fuel level): the quantum floors the scales; stuck needs
    /// three times as many repeats because such signals legitimately hold still.
    public static func slowSignal(resolution: Double) -> AnomalyConfiguration {
        AnomalyConfiguration(
            warmupSamples: 24, smoothing: 0.01, spikeThreshold: 2.5, driftSlack: 1, driftThreshold: 25,
            driftClip: 2, stuckSamples: 18, resolution: resolution, expectedBand: 4)
    }
}
