/// Which committed-sequence acknowledgements are due: the newest recorded watermark per vehicle, released when the
/// vehicle's last acknowledgement is at least `interval` old (``CommitPublisher``).
struct CommitSchedule: Sendable {
    let interval: Duration
    private(set) var pending: [String: Int64] = [:]
    private(set) var lastSent: [String: ContinuousClock.Instant] = [:]
    private var pruned: ContinuousClock.Instant?

    init(interval: Duration) {
        self.interval = interval
    }

    /// Records watermarks (the highest value per vehicle wins).
    mutating func record(_ committed: [String: Int64]) {
        pending.merge(committed) { max($0, $1) }
    }

    /// Takes what is due at `now` (with `all`, everything recorded) and marks those vehicles as acknowledged then.
    mutating func takeDue(at now: ContinuousClock.Instant, all: Bool = false) -> [(vehicle: String, sequence: Int64)] {
        var due: [(vehicle: String, sequence: Int64)] = []
        for (vehicle, sequence) in pending {
            if !all, let last = lastSent[vehicle], now - last < interval { continue }
            due.append((vehicle, sequence))
            lastSent[vehicle] = now
        }
        for entry in due { pending.removeValue(forKey: entry.vehicle) }
        // An entry older than the interval says no more than a missing one: dropped, so vehicles that stopped
        // reporting do not keep memory.
        if let pruned, now - pruned < interval { return due }
        lastSent = lastSent.filter { now - $0.value < interval }
        pruned = now
        return due
    }
}
