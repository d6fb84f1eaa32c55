/// One anomaly onset on one signal: what kind, how strong, and what the detector expected instead.
public struct AnomalyFinding: Sendable, Equatable, Codable {
    /// The kind of anomaly.
    public var kind: AnomalyKind
    /// Strength normalised so that the alarm threshold is 1.0 (always ≥ 1 in a finding):
    /// - spike: the confirmed jump in units of the innovation scale (1.2533 × EWMA |Δ|) divided by `spikeThreshold`;
    /// - drift: the Page-Hinkley statistic (sum of clipped z − slack) divided by `driftThreshold`;
    /// - stuck: repeated samples while the context moved divided by `stuckSamples`.
    public var score: Double
    /// The flagged sample (for a spike, the sample before the one just observed).
    public var value: Double
    /// Lower end of the range the detector expected at that moment.
    public var expectedLower: Double
    /// Upper end of the range the detector expected at that moment.
    public var expectedUpper: Double

    /// Creates a finding.
    public init(kind: AnomalyKind, score: Double, value: Double, expectedLower: Double, expectedUpper: Double) {
        self.kind = kind
        self.score = score
        self.value = value
        self.expectedLower = expectedLower
        self.expectedUpper = expectedUpper
    }
}
