/// What one sample did in ``TrafficMonitor``.
public struct TrafficUpdate: Hashable, Sendable {
    /// How the sample was used.
    public enum Disposition: Hashable, Sendable {
        /// Counted as a speed observation on `edge`, whose smoothed speed is now `smoothedSpeed` (m/s).
        case counted(edge: Int, smoothedSpeed: Double)
        /// Not a traffic observation: the vehicle reports `paused`, `charging` or `fault`.
        case notDriving
        /// On a road, but standing still for longer than
        /// ``TrafficMonitor/Configuration/maximumStandstillSeconds``: treated as parked.
        case parked(edge: Int)
        /// Not placed on the road network.
        case unmatched(MatchFailure)
    }

    /// How the sample was used.
    public var disposition: Disposition
    /// The jam the sample started or ended, if any.
    public var jamEvent: JamEvent?

    /// Creates an update.
    public init(disposition: Disposition, jamEvent: JamEvent? = nil) {
        self.disposition = disposition
        self.jamEvent = jamEvent
    }
}
