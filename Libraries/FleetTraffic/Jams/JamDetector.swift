public import FleetGeo

/// Per-segment jam detection with hysteresis, fed with smoothed speeds (from ``SegmentSpeeds``).
///
/// Each segment is in one of four phases:
/// - **free** → **slowing** on a sample whose smoothed speed is below ``Configuration/enterRatio`` × free flow;
/// - **slowing** → **jammed** (``JamEvent/Kind/started``) once the run of such samples has lasted
///   ``Configuration/enterSeconds`` (first to latest sample) and holds ``Configuration/minimumSamples`` samples;
///   any sample at or above the ratio, or a gap longer than ``Configuration/maximumSampleGapSeconds``, ends the run;
/// - **jammed** → **recovering** on a sample above ``Configuration/clearRatio`` × free flow;
/// - **recovering** → **free** (``JamEvent/Kind/cleared``, ``JamEvent/ClearReason/recovered``) once samples have
///   stayed above it for ``Configuration/clearSeconds``; a sample at or below it returns to **jammed**.
///
/// A jammed or recovering segment without a sample for ``Configuration/silenceSeconds`` is cleared
/// (``JamEvent/ClearReason/silence``) by ``sweep(atSeconds:)`` (or by its next sample, whichever comes first).
/// Between the two ratios nothing changes, so a speed oscillating around either threshold cannot make a jam flap;
/// every jam emits exactly one `started` and at most one `cleared`.
///
/// Memory: flat arrays, 49 bytes per segment, plus the list of active jams. Value type, `Sendable`.
public struct JamDetector: Sendable {
    /// Thresholds, with documented defaults.
    public struct Configuration: Hashable, Sendable {
        /// A sample is slow below this fraction of free flow. Default 0.4.
        public var enterRatio: Double = 0.4
        /// How long slow samples must continue before a jam starts, seconds. Default 180 (3 min).
        public var enterSeconds: Double = 180
        /// Slow samples needed in that run (from any vehicles). Default 3.
        public var minimumSamples: Int = 3
        /// A jam recovers above this fraction of free flow. Default 0.6.
        public var clearRatio: Double = 0.6
        /// How long recovered samples must continue before the jam clears, seconds. Default 120 (2 min).
        public var clearSeconds: Double = 120
        /// A jam without any sample for this long clears, seconds. Default 900 (15 min).
        public var silenceSeconds: Double = 900
        /// Two samples further apart than this do not make one continuous run, seconds. Default 600 (10 min).
        public var maximumSampleGapSeconds: Double = 600

        /// Creates a configuration; every parameter defaults to the documented value.
        public init(
            enterRatio: Double = 0.4, enterSeconds: Double = 180, minimumSamples: Int = 3, clearRatio: Double = 0.6,
            clearSeconds: Double = 120, silenceSeconds: Double = 900, maximumSampleGapSeconds: Double = 600
        ) {
            self.enterRatio = enterRatio
            self.enterSeconds = enterSeconds
            self.minimumSamples = minimumSamples
            self.clearRatio = clearRatio
            self.clearSeconds = clearSeconds
            self.silenceSeconds = silenceSeconds
            self.maximumSampleGapSeconds = maximumSampleGapSeconds
        }
    }

    private enum Phase: UInt8 {
        case free, slowing, jammed, recovering
    }

    /// The thresholds in force.
    public let configuration: Configuration
    /// The graph events are located on, if any.
    private let graph: RoadGraph?
    private var phases: [UInt8]
    /// Start of the current slow run (slowing) or recovery (recovering).
    private var phaseSince: [Double]
    /// Samples in the current slow run.
    private var runSamples: [Int32]
    private var lastSample: [Double]
    private var lastSpeed: [Double]
    private var lastFreeFlow: [Double]
    /// Start of the slow run that became the current jam.
    private var jamSince: [Double]
    /// Position of each segment in `active`, -1 if not jammed.
    private var activeSlot: [Int32]
    private var active: [Int32] = []

    /// Detects jams on the directed edges of `graph`; events carry road names and edge midpoints.
    public init(graph: RoadGraph, configuration: Configuration = Configuration()) {
        self.init(segmentCount: graph.edgeCount, graph: graph, configuration: configuration)
    }

    /// Detects jams on `segmentCount` numbered segments; events carry no location.
    public init(segmentCount: Int, configuration: Configuration = Configuration()) {
        self.init(segmentCount: segmentCount, graph: nil, configuration: configuration)
    }

    private init(segmentCount: Int, graph: RoadGraph?, configuration: Configuration) {
        self.configuration = configuration
        self.graph = graph
        phases = [UInt8](repeating: Phase.free.rawValue, count: segmentCount)
        phaseSince = [Double](repeating: 0, count: segmentCount)
        runSamples = [Int32](repeating: 0, count: segmentCount)
        lastSample = [Double](repeating: -.infinity, count: segmentCount)
        lastSpeed = [Double](repeating: 0, count: segmentCount)
        lastFreeFlow = lastSpeed
        jamSince = [Double](repeating: 0, count: segmentCount)
        activeSlot = [Int32](repeating: -1, count: segmentCount)
    }

    /// Number of segments.
    public var segmentCount: Int { phases.count }

    /// Bytes held by the per-segment arrays and the active list.
    public var memoryBytes: Int { segmentCount * 49 + active.count * 4 }

    /// Segments currently jammed (including those recovering), in no particular order.
    public var jammedSegments: [Int] { active.map(Int.init) }

    /// Whether `segment` is jammed (a recovering jam still is).
    public func isJammed(_ segment: Int) -> Bool { activeSlot[segment] >= 0 }

    /// Feeds the smoothed speed of `segment` after a sample at `seconds`; returns the event it causes, if any.
    /// Samples must arrive in non-decreasing time per segment (an older one is treated as simultaneous).
    public mutating func observe(
        segment: Int, smoothedSpeed: Double, freeFlowSpeed: Double, atSeconds seconds: Double
    ) -> JamEvent? {
        guard freeFlowSpeed > 0, smoothedSpeed.isFinite, seconds.isFinite else { return nil }
        let now = max(seconds, lastSample[segment])
        let gap = now - lastSample[segment]
        var phase = Phase(rawValue: phases[segment]) ?? .free
        var event: JamEvent?
        // A silent jam is over before this sample is looked at (the sweep may not have run yet).
        if (phase == .jammed || phase == .recovering) && gap >= configuration.silenceSeconds {
            event = clear(segment, reason: .silence, at: lastSample[segment] + configuration.silenceSeconds)
            phase = .free
        } else if gap > configuration.maximumSampleGapSeconds {
            if phase == .slowing { phase = .free }
            if phase == .recovering { phase = .jammed }
        }
        lastSample[segment] = now
        lastSpeed[segment] = smoothedSpeed
        lastFreeFlow[segment] = freeFlowSpeed
        let ratio = smoothedSpeed / freeFlowSpeed

        switch phase {
        case .free:
            if ratio < configuration.enterRatio {
                phase = .slowing
                phaseSince[segment] = now
                runSamples[segment] = 1
                if event == nil, let started = startIfDue(segment, freeFlowSpeed, now) { event = started; phase = .jammed }
            }
        case .slowing:
            if ratio < configuration.enterRatio {
                if runSamples[segment] < Int32.max { runSamples[segment] += 1 }
                if let started = startIfDue(segment, freeFlowSpeed, now) { event = started; phase = .jammed }
            } else {
                phase = .free
            }
        case .jammed:
            if ratio > configuration.clearRatio {
                phase = .recovering
                phaseSince[segment] = now
                if configuration.clearSeconds <= 0 {
                    event = clear(segment, reason: .recovered, at: now)
                    phase = .free
                }
            }
        case .recovering:
            if ratio > configuration.clearRatio {
                if now - phaseSince[segment] >= configuration.clearSeconds {
                    event = clear(segment, reason: .recovered, at: now)
                    phase = .free
                }
            } else {
                phase = .jammed
            }
        }
        phases[segment] = phase.rawValue
        return event
    }

    /// Clears every jam whose segment has had no sample for ``Configuration/silenceSeconds`` at `seconds`.
    /// Call it periodically (e.g. once a minute); cost is linear in the number of active jams.
    public mutating func sweep(atSeconds seconds: Double) -> [JamEvent] {
        var events: [JamEvent] = []
        var slot = 0
        while slot < active.count {
            let segment = Int(active[slot])
            let silentSince = lastSample[segment]
            if seconds - silentSince >= configuration.silenceSeconds {
                events.append(clear(segment, reason: .silence, at: silentSince + configuration.silenceSeconds))
                phases[segment] = Phase.free.rawValue
                // `clear` moved the last active jam into this slot: look at it again.
            } else {
                slot += 1
            }
        }
        return events
    }

    private mutating func startIfDue(_ segment: Int, _ freeFlowSpeed: Double, _ now: Double) -> JamEvent? {
        guard now - phaseSince[segment] >= configuration.enterSeconds,
            Int(runSamples[segment]) >= configuration.minimumSamples
        else { return nil }
        jamSince[segment] = phaseSince[segment]
        activeSlot[segment] = Int32(active.count)
        active.append(Int32(segment))
        return event(.started, segment, freeFlowSpeed, now, nil)
    }

    private mutating func clear(_ segment: Int, reason: JamEvent.ClearReason, at seconds: Double) -> JamEvent {
        let slot = Int(activeSlot[segment])
        let last = active.removeLast()
        if Int(last) != segment {
            active[slot] = last
            activeSlot[Int(last)] = Int32(slot)
        }
        activeSlot[segment] = -1
        return event(.cleared, segment, lastFreeFlow[segment], seconds, reason)
    }

    private func event(
        _ kind: JamEvent.Kind, _ segment: Int, _ freeFlowSpeed: Double, _ seconds: Double,
        _ reason: JamEvent.ClearReason?
    ) -> JamEvent {
        var roadName: String?
        var coordinate: GeoCoordinate?
        if let graph {
            roadName = graph.roadName(of: segment)
            coordinate = graph.position(onEdge: segment, atOffset: graph.length(of: segment) / 2)
        }
        return JamEvent(
            kind: kind, segment: segment, roadName: roadName, coordinate: coordinate,
            observedSpeed: lastSpeed[segment], freeFlowSpeed: freeFlowSpeed, sinceSeconds: jamSince[segment],
            atSeconds: seconds, clearReason: reason)
    }
}
