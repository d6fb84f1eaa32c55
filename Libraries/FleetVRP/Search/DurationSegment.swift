/// The time behaviour of a run of consecutive visits, in O(1) space (Vidal et al. 2013): joining two runs is O(1),
/// so a move's effect on waiting and lateness is evaluated from cached prefixes and suffixes.
///
/// Lateness is "time warp": arriving after a window closes is allowed at a penalty, as if travelling back in time.
struct DurationSegment: Hashable, Sendable {
    /// Travel, service and waiting time of the run when started as late as allowed without more time warp.
    var duration: Int
    /// Total lateness incurred.
    var timeWarp: Int
    /// Earliest start of the run's first visit that incurs no avoidable waiting.
    var earliest: Int
    /// Latest start of the run's first visit that incurs no more time warp.
    var latest: Int

    /// A single visit.
    @inline(__always)
    init(serviceDuration: Int, earliest: Int, latest: Int) {
        duration = serviceDuration
        timeWarp = 0
        self.earliest = earliest
        self.latest = latest
    }

    @inline(__always)
    private init(duration: Int, timeWarp: Int, earliest: Int, latest: Int) {
        self.duration = duration
        self.timeWarp = timeWarp
        self.earliest = earliest
        self.latest = latest
    }

    /// This run followed by `next`, `travel` apart.
    @inline(__always)
    func followed(by next: DurationSegment, travel: Int) -> DurationSegment {
        let delta = duration - timeWarp + travel
        let wait = max(next.earliest - delta - latest, 0)
        let warp = max(earliest + delta - next.latest, 0)
        return DurationSegment(
            duration: duration + next.duration + travel + wait,
            timeWarp: timeWarp + next.timeWarp + warp,
            earliest: max(next.earliest - delta, earliest) - wait,
            latest: min(next.latest - delta, latest) + warp)
    }

    /// Time warp including the excess over a maximum route duration.
    @inline(__always)
    func timeWarp(maximumDuration: Int) -> Int {
        timeWarp + max(duration - maximumDuration, 0)
    }
}
