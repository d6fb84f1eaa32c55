public import FleetGeo
import Foundation

/// Smoothed observed speeds per segment (a directed edge of a ``FleetGeo/RoadGraph``, or any numbered segment such
/// as a loop detector), and the travel times a router should use.
///
/// **Smoothing.** Each segment keeps an exponentially time-weighted mean of its samples: on a sample `v` at time `t`,
/// the previous sum and weight decay by `exp(−Δt / τ)` (``Configuration/timeConstantSeconds``) and `v` is added
/// with weight 1, so the smoothed speed is `Σ vᵢ e^{−(t−tᵢ)/τ} / Σ e^{−(t−tᵢ)/τ}`. Samples arriving at the same
/// time (two vehicles) average instead of the second being ignored; a sample older than the latest one is added
/// without decay; the first sample, or the first after a stale gap (``Configuration/staleAfterSeconds``), restarts
/// the mean.
///
/// **Effective speed** (what ``travelTimes(on:atSeconds:)`` uses): the smoothed speed while the latest sample is at
/// most ``Configuration/holdSeconds`` old, then blended linearly to the free-flow speed, reached at
/// ``Configuration/staleAfterSeconds``; never above free flow × ``Configuration/maximumSpeedFactor`` nor below
/// ``Configuration/minimumSpeedMetersPerSecond``, so every travel time is finite and positive.
///
/// Memory: flat arrays, 36 bytes per segment. Value type, `Sendable`; mutate from one task.
public struct SegmentSpeeds: Sendable {
    /// Smoothing and staleness parameters.
    public struct Configuration: Hashable, Sendable {
        /// Time constant of the exponential smoothing, seconds. Default 120.
        public var timeConstantSeconds: Double = 120
        /// How long the smoothed speed is used unchanged after the latest sample, seconds. Default 300.
        public var holdSeconds: Double = 300
        /// Age of the latest sample at which the segment is back at free flow, seconds. Default 900 (15 min).
        public var staleAfterSeconds: Double = 900
        /// Effective speeds are at most free flow times this factor. Default 1.2.
        public var maximumSpeedFactor: Double = 1.2
        /// Effective speeds are at least this, metres per second. Default 1.
        public var minimumSpeedMetersPerSecond: Double = 1

        /// Creates a configuration; every parameter defaults to the documented value.
        public init(
            timeConstantSeconds: Double = 120, holdSeconds: Double = 300, staleAfterSeconds: Double = 900,
            maximumSpeedFactor: Double = 1.2, minimumSpeedMetersPerSecond: Double = 1
        ) {
            self.timeConstantSeconds = timeConstantSeconds
            self.holdSeconds = holdSeconds
            self.staleAfterSeconds = staleAfterSeconds
            self.maximumSpeedFactor = maximumSpeedFactor
            self.minimumSpeedMetersPerSecond = minimumSpeedMetersPerSecond
        }
    }

    /// The parameters in force.
    public let configuration: Configuration
    private let freeFlow: [Double]
    private var weightedSums: [Double]
    private var weights: [Double]
    private var lastSample: [Double]
    private var sampleCounts: [Int32]

    /// Tracks `freeFlowSpeeds.count` segments with these free-flow speeds (metres per second).
    public init(freeFlowSpeeds: [Double], configuration: Configuration = Configuration()) {
        self.configuration = configuration
        freeFlow = freeFlowSpeeds
        weightedSums = [Double](repeating: 0, count: freeFlowSpeeds.count)
        weights = weightedSums
        lastSample = [Double](repeating: -.infinity, count: freeFlowSpeeds.count)
        sampleCounts = [Int32](repeating: 0, count: freeFlowSpeeds.count)
    }

    /// Tracks every directed edge of `graph`, with the graph's edge speeds as free flow.
    public init(graph: RoadGraph, configuration: Configuration = Configuration()) {
        self.init(freeFlowSpeeds: (0..<graph.edgeCount).map(graph.speed(of:)), configuration: configuration)
    }

    /// Number of segments.
    public var segmentCount: Int { freeFlow.count }

    /// Bytes held by the per-segment arrays.
    public var memoryBytes: Int { segmentCount * (4 * MemoryLayout<Double>.stride + MemoryLayout<Int32>.stride) }

    /// Adds the sample `speedMetersPerSecond` observed on `segment` at `seconds`; returns the new smoothed speed.
    /// A negative or non-finite speed is ignored (the current smoothed speed, or 0, is returned).
    @discardableResult
    public mutating func record(speedMetersPerSecond speed: Double, on segment: Int, atSeconds seconds: Double) -> Double {
        guard speed >= 0, speed.isFinite, seconds.isFinite else {
            return weights[segment] > 0 ? weightedSums[segment] / weights[segment] : 0
        }
        let elapsed = seconds - lastSample[segment]
        if sampleCounts[segment] == 0 || elapsed >= configuration.staleAfterSeconds {
            weightedSums[segment] = speed
            weights[segment] = 1
            sampleCounts[segment] = 1
            lastSample[segment] = seconds
            return speed
        }
        let decay = elapsed > 0 ? exp(-elapsed / configuration.timeConstantSeconds) : 1
        let sum = weightedSums[segment] * decay + speed
        let weight = weights[segment] * decay + 1
        weightedSums[segment] = sum
        weights[segment] = weight
        if sampleCounts[segment] < Int32.max { sampleCounts[segment] += 1 }
        if elapsed > 0 { lastSample[segment] = seconds }
        return sum / weight
    }

    /// Free-flow speed of `segment`, metres per second.
    public func freeFlowSpeed(of segment: Int) -> Double { freeFlow[segment] }

    /// The smoothed state of `segment`, or `nil` if it has never had a sample.
    public func observation(of segment: Int) -> SegmentObservation? {
        guard sampleCounts[segment] > 0 else { return nil }
        return SegmentObservation(
            smoothedSpeed: weightedSums[segment] / weights[segment], sampleCount: Int(sampleCounts[segment]),
            lastSampleSeconds: lastSample[segment], freeFlowSpeed: freeFlow[segment])
    }

    /// The speed a router should assume on `segment` at `seconds` (see the type's documentation), metres per second.
    public func effectiveSpeed(of segment: Int, atSeconds seconds: Double) -> Double {
        let freeFlowSpeed = freeFlow[segment]
        var speed = freeFlowSpeed
        if sampleCounts[segment] > 0 {
            let age = max(0, seconds - lastSample[segment])
            let stale = configuration.staleAfterSeconds
            let hold = min(configuration.holdSeconds, stale)
            if age < stale {
                let observed = weightedSums[segment] / weights[segment]
                let share = age <= hold ? 1 : (stale - age) / (stale - hold)
                speed = freeFlowSpeed + (observed - freeFlowSpeed) * share
            }
        }
        return min(freeFlowSpeed * configuration.maximumSpeedFactor, max(configuration.minimumSpeedMetersPerSecond, speed))
    }

    /// Travel time of every edge of `graph` at `seconds` (length / ``effectiveSpeed(of:atSeconds:)``), indexed by
    /// edge, for the router and the travel-time matrix. `graph` must be the graph the speeds were made for.
    public func travelTimes(on graph: RoadGraph, atSeconds seconds: Double) -> [Double] {
        var times: [Double] = []
        writeTravelTimes(on: graph, atSeconds: seconds, into: &times)
        return times
    }

    /// ``travelTimes(on:atSeconds:)`` into an existing array (resized to the edge count), to reuse its storage.
    public func writeTravelTimes(on graph: RoadGraph, atSeconds seconds: Double, into times: inout [Double]) {
        precondition(graph.edgeCount == segmentCount, "the speeds track \(segmentCount) segments, the graph has \(graph.edgeCount) edges")
        if times.count != segmentCount { times = [Double](repeating: 0, count: segmentCount) }
        for edge in 0..<segmentCount {
            times[edge] = graph.length(of: edge) / effectiveSpeed(of: edge, atSeconds: seconds)
        }
    }
}
