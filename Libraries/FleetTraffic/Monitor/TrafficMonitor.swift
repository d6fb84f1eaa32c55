public import FleetCore
public import FleetGeo

/// Live traffic from the fleet's own samples: map matching, smoothed edge speeds and jam detection in one value,
/// driven by the routing service with each accepted telemetry sample.
///
/// Per sample: the status is checked (only `moving` and `idle` vehicles are traffic: `paused`, `charging` and
/// `fault` are not), the fix is matched (``MapMatcher``), and a matched sample is recorded on its edge
/// (``SegmentSpeeds``) and fed to the jam detector (``JamDetector``). **Standstill policy:** a vehicle slower than
/// ``MapMatcher/Configuration/movingSpeedMetersPerSecond`` on a road is a speed observation (queueing traffic is
/// slow, not absent) for its first ``Configuration/maximumStandstillSeconds``; standing longer it is treated as
/// parked (a delivery stop, a driver's break) and no longer counted, until it moves again.
///
/// Time is the device time in seconds (`deviceTimeMillis / 1000`); call ``sweep(atSeconds:)`` periodically with
/// the current time so that jams on roads nobody drives any more clear. Value type, `Sendable`; mutate from one task.
public struct TrafficMonitor: Sendable {
    /// The parameters of every stage.
    public struct Configuration: Hashable, Sendable {
        /// Map matching.
        public var matching: MapMatcher.Configuration
        /// Smoothing and staleness.
        public var speeds: SegmentSpeeds.Configuration
        /// Jam thresholds.
        public var jams: JamDetector.Configuration
        /// Longest standstill on a road still counted as traffic, seconds. Default 300 (5 min).
        public var maximumStandstillSeconds: Double

        /// Creates a configuration; every parameter defaults to the documented value.
        public init(
            matching: MapMatcher.Configuration = .init(), speeds: SegmentSpeeds.Configuration = .init(),
            jams: JamDetector.Configuration = .init(), maximumStandstillSeconds: Double = 300
        ) {
            self.matching = matching
            self.speeds = speeds
            self.jams = jams
            self.maximumStandstillSeconds = maximumStandstillSeconds
        }
    }

    /// The parameters in force.
    public let configuration: Configuration
    /// The matcher (and through it the graph).
    public let matcher: MapMatcher
    /// Smoothed speeds per directed edge.
    public private(set) var speeds: SegmentSpeeds
    /// Jam state per directed edge.
    public private(set) var jams: JamDetector

    /// Monitors the directed edges of `graph`.
    public init(graph: RoadGraph, configuration: Configuration = Configuration()) {
        self.configuration = configuration
        matcher = MapMatcher(graph: graph, configuration: configuration.matching)
        speeds = SegmentSpeeds(graph: graph, configuration: configuration.speeds)
        jams = JamDetector(graph: graph, configuration: configuration.jams)
    }

    /// The graph monitored.
    public var graph: RoadGraph { matcher.graph }

    /// Uses one validated telemetry sample of the vehicle whose `trace` is passed.
    public mutating func observe(_ telemetry: Telemetry, trace: inout VehicleTrace) -> TrafficUpdate {
        switch telemetry.status {
        case .moving, .idle: break
        case .paused, .charging, .fault:
            trace.standstillSinceSeconds = nil
            return TrafficUpdate(disposition: .notDriving)
        }
        return observe(
            GeoCoordinate(latitude: telemetry.position.latitude, longitude: telemetry.position.longitude),
            headingDegrees: telemetry.headingDegrees, speedMetersPerSecond: telemetry.speedMetersPerSecond,
            atSeconds: Double(telemetry.deviceTimeMillis) / 1000, trace: &trace)
    }

    /// Uses one sample: a fix, its heading (`nil` if unknown) and speed, at `seconds`, of the vehicle whose `trace`
    /// is passed. The caller has already decided the vehicle is driving.
    public mutating func observe(
        _ position: GeoCoordinate, headingDegrees: Double?, speedMetersPerSecond speed: Double,
        atSeconds seconds: Double, trace: inout VehicleTrace
    ) -> TrafficUpdate {
        let match = matcher.match(
            position, headingDegrees: headingDegrees, speedMetersPerSecond: speed, previousEdge: trace.lastEdge)
        if speed < configuration.matching.movingSpeedMetersPerSecond {
            if trace.standstillSinceSeconds == nil { trace.standstillSinceSeconds = seconds }
        } else {
            trace.standstillSinceSeconds = nil
        }
        let edge: Int
        switch match {
        case .matched(let matched): edge = matched.edge
        case .unmatched(let failure): return TrafficUpdate(disposition: .unmatched(failure))
        }
        trace.lastEdge = edge
        if let since = trace.standstillSinceSeconds, seconds - since > configuration.maximumStandstillSeconds {
            return TrafficUpdate(disposition: .parked(edge: edge))
        }
        let smoothed = speeds.record(speedMetersPerSecond: speed, on: edge, atSeconds: seconds)
        let event = jams.observe(
            segment: edge, smoothedSpeed: smoothed, freeFlowSpeed: speeds.freeFlowSpeed(of: edge), atSeconds: seconds)
        return TrafficUpdate(disposition: .counted(edge: edge, smoothedSpeed: smoothed), jamEvent: event)
    }

    /// Clears jams on edges silent for ``JamDetector/Configuration/silenceSeconds`` at `seconds` (call it
    /// periodically, e.g. once a minute).
    public mutating func sweep(atSeconds seconds: Double) -> [JamEvent] {
        jams.sweep(atSeconds: seconds)
    }

    /// Travel time of every edge at `seconds`, indexed by edge (see ``SegmentSpeeds/travelTimes(on:atSeconds:)``).
    public func travelTimes(atSeconds seconds: Double) -> [Double] {
        speeds.travelTimes(on: matcher.graph, atSeconds: seconds)
    }
}
