/// What ``MapMatcher/match(_:headingDegrees:speedMetersPerSecond:previousEdge:)`` decided for one position.
public enum MatchOutcome: Hashable, Sendable {
    /// The position lies on `MatchedPosition.edge`, driven in that edge's direction.
    case matched(MatchedPosition)
    /// No directed edge could be chosen.
    case unmatched(MatchFailure)

    /// The match, if there is one.
    public var matchedPosition: MatchedPosition? {
        if case .matched(let position) = self { return position }
        return nil
    }
}

/// A position placed on a directed edge.
public struct MatchedPosition: Hashable, Sendable {
    /// The directed edge (of the matcher's ``FleetGeo/RoadGraph``) the vehicle is driving along.
    public var edge: Int
    /// Distance from the reported position to the edge's polyline, metres.
    public var distance: Double
    /// Distance along the edge from its source to the closest point, metres (0 ... the edge's length).
    public var offset: Double
    /// Angle between the reported heading and the edge's direction at the closest point, degrees (0...180); `nil`
    /// when no heading was used.
    public var headingDifferenceDegrees: Double?

    /// Creates a match.
    public init(edge: Int, distance: Double, offset: Double, headingDifferenceDegrees: Double?) {
        self.edge = edge
        self.distance = distance
        self.offset = offset
        self.headingDifferenceDegrees = headingDifferenceDegrees
    }
}

/// Why a position was not placed on the road network.
public enum MatchFailure: String, Hashable, Sendable, CaseIterable {
    /// No road within ``MapMatcher/Configuration/searchRadiusMeters``: off-road, parked in a yard, or a bad fix.
    case noRoadNearby
    /// Roads are near, but the vehicle is moving and its heading differs from every direction allowed on them by
    /// more than ``MapMatcher/Configuration/maximumHeadingDifferenceDegrees`` (crossing a bridge over them, turning,
    /// driving the wrong way on a one-way street, or a bad heading).
    case headingDisagrees
    /// The nearest road is two-way and nothing tells the direction: no usable heading and no previous edge on
    /// that street.
    case ambiguousDirection
}
