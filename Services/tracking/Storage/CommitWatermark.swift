/// One vehicle's durability watermark: the highest sequence below which every message is stored, and
/// the stored sequences beyond a gap (`pending`), which wait for the missing ones.
///
/// Kept as one row per vehicle (`commit_watermarks`), locked by the batch that changes it, so replicas that
/// split a vehicle's stream serialise on it. The arithmetic lives here, in Swift, so the write path needs no
/// set-based SQL over pending sequences and the rules are unit-tested.
struct CommitWatermark: Sendable, Equatable {
    var committed: Int64
    /// Stored sequences greater than `committed + 1`, ascending, without duplicates.
    var pending: [Int64]

    init(committed: Int64 = 0, pending: [Int64] = []) {
        self.committed = committed
        self.pending = pending
    }

    /// `pending` as the comma-separated text bound to SQL (`string_to_array(…)::int8[]`; one int8[] per vehicle
    /// cannot be bound as a jagged array).
    var pendingList: String { pending.map(String.init).joined(separator: ",") }

    /// Adds sequences just stored (duplicates and already committed ones are ignored) and moves the
    /// watermark over the contiguous run that follows it.
    mutating func add<S: Sequence<Int64>>(stored: S) {
        var known = Set(pending)
        for seq in stored where seq > committed { known.insert(seq) }
        advance(over: known)
    }

    /// Gives up on the missing sequences before the first pending one: the watermark jumps to just below
    /// it and moves over the run that follows. Returns false when there is nothing pending.
    mutating func skipGap() -> Bool {
        guard let first = pending.first else { return false }
        committed = max(committed, first - 1)
        advance(over: Set(pending))
        return true
    }

    private mutating func advance(over known: Set<Int64>) {
        while known.contains(committed + 1) { committed += 1 }
        pending = known.filter { $0 > committed }.sorted()
    }
}
