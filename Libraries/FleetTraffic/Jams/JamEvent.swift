public import FleetGeo

/// A jam starting or ending on one segment (see ``JamDetector``).
public struct JamEvent: Hashable, Sendable {
    /// Whether the jam starts or ends.
    public enum Kind: String, Hashable, Sendable {
        /// The segment has been slow long enough, with enough samples.
        case started
        /// The segment has recovered, or gone silent.
        case cleared
    }

    /// Why a jam ended.
    public enum ClearReason: String, Hashable, Sendable {
        /// The smoothed speed stayed above the clearing ratio for the clearing duration.
        case recovered
        /// No sample arrived for ``JamDetector/Configuration/silenceSeconds``: nothing is known to be slow any more.
        case silence
    }

    /// Start or end.
    public var kind: Kind
    /// The segment: a directed edge of the detector's graph, or the caller's segment number.
    public var segment: Int
    /// The road's name (OSM `name`, else `ref`) when the detector has a graph and the road has one.
    public var roadName: String?
    /// The middle of the edge (along its polyline) when the detector has a graph.
    public var coordinate: GeoCoordinate?
    /// Smoothed speed at the event (for a silence, the last one seen), metres per second.
    public var observedSpeed: Double
    /// Free-flow speed of the segment, metres per second.
    public var freeFlowSpeed: Double
    /// When the slow run that became this jam began, seconds (the same value on both events of a jam).
    public var sinceSeconds: Double
    /// When the event happened, seconds: the deciding sample's time, or for a silence the moment the segment had been
    /// silent for ``JamDetector/Configuration/silenceSeconds``.
    public var atSeconds: Double
    /// For ``Kind/cleared``: why.
    public var clearReason: ClearReason?

    /// Creates an event.
    public init(
        kind: Kind, segment: Int, roadName: String? = nil, coordinate: GeoCoordinate? = nil, observedSpeed: Double,
        freeFlowSpeed: Double, sinceSeconds: Double, atSeconds: Double, clearReason: ClearReason? = nil
    ) {
        self.kind = kind
        self.segment = segment
        self.roadName = roadName
        self.coordinate = coordinate
        self.observedSpeed = observedSpeed
        self.freeFlowSpeed = freeFlowSpeed
        self.sinceSeconds = sinceSeconds
        self.atSeconds = atSeconds
        self.clearReason = clearReason
    }

    /// ``observedSpeed`` / ``freeFlowSpeed``.
    public var speedRatio: Double { freeFlowSpeed > 0 ? observedSpeed / freeFlowSpeed : .infinity }
}
