/// What ``SegmentSpeeds`` knows about one segment (directed edge or sensor).
public struct SegmentObservation: Hashable, Sendable {
    /// Exponentially smoothed observed speed, metres per second.
    public var smoothedSpeed: Double
    /// Samples since the segment was last fresh (a sample after a stale gap starts the count again).
    public var sampleCount: Int
    /// Time of the latest sample, seconds (the caller's time base, e.g. Unix time).
    public var lastSampleSeconds: Double
    /// Free-flow speed of the segment, metres per second.
    public var freeFlowSpeed: Double

    /// ``smoothedSpeed`` / ``freeFlowSpeed`` (1 = free flow; `+∞` if the free-flow speed is not positive).
    public var speedRatio: Double { freeFlowSpeed > 0 ? smoothedSpeed / freeFlowSpeed : .infinity }

    /// Creates an observation.
    public init(smoothedSpeed: Double, sampleCount: Int, lastSampleSeconds: Double, freeFlowSpeed: Double) {
        self.smoothedSpeed = smoothedSpeed
        self.sampleCount = sampleCount
        self.lastSampleSeconds = lastSampleSeconds
        self.freeFlowSpeed = freeFlowSpeed
    }
}
