/// One vehicle's durability watermark: the highest sequence below which every message is stored (except in the
/// ranges given up on), the stored sequences beyond a gap (`pending`), which wait for the missing ones, and the
/// gaps that were skipped (`skipped`), whose messages were never stored and may still arrive late.
///
/// Together these say, for any sequence, whether it is stored: that is what makes a `(vehicle, seq)` pair stored
/// once, whatever device time a resend carries, without asking the telemetry table (whose key must hold the
/// partitioning time). Kept as one row per vehicle (`commit_watermarks`), locked by the batch that changes it, so
/// replicas that split a vehicle's stream serialise on it. The arithmetic lives here, in Swift, so the write path
/// needs no set-based SQL over pending sequences and the rules are unit-tested.
struct CommitWatermark: Sendable, Equatable {
    /// Skipped ranges kept per vehicle; beyond it the oldest is forgotten, and a message from it that arrives
    /// later still is taken for a duplicate. 64 gaps given up on is a vehicle that lost messages for hours.
    static let maxSkippedRanges = 64

    var committed: Int64
    /// Stored sequences greater than `committed + 1`, ascending, without duplicates.
    var pending: [Int64]
    /// Ranges at or below `committed` that were skipped and not yet filled, ascending and disjoint.
    var skipped: [ClosedRange<Int64>]

    init(committed: Int64 = 0, pending: [Int64] = [], skipped: [ClosedRange<Int64>] = []) {
        self.committed = committed
        self.pending = pending
        self.skipped = skipped
    }

    /// `pending` as the comma-separated text bound to SQL (`string_to_array(…)::int8[]`; one int8[] per vehicle
    /// cannot be bound as a jagged array).
    var pendingList: String { pending.map(String.init).joined(separator: ",") }

    /// `skipped` flattened to `from,to,from,to…` text, the form bound to SQL like ``pendingList``.
    var skippedList: String { skipped.map { "\($0.lowerBound),\($0.upperBound)" }.joined(separator: ",") }

    /// The skipped ranges from their flat `[from, to, from, to, …]` column.
    static func ranges(flat: [Int64]) -> [ClosedRange<Int64>] {
        stride(from: 0, to: flat.count - 1, by: 2).compactMap { i in flat[i] <= flat[i + 1] ? flat[i]...flat[i + 1] : nil }
    }

    /// Whether `seq` is already stored.
    func isStored(_ seq: Int64) -> Bool {
        if seq > committed { return binarySearch(pending, seq) }
        return !skipped.contains { $0.contains(seq) }
    }

    /// Adds sequences just stored (duplicates and already stored ones are ignored), fills skipped ranges they
    /// belong to, and moves the watermark over the contiguous run that follows it.
    mutating func add<S: Sequence<Int64>>(stored: S) {
        var known = Set(pending)
        for seq in stored {
            if seq > committed {
                known.insert(seq)
            } else if let index = skipped.firstIndex(where: { $0.contains(seq) }) {
                let range = skipped[index]
                var parts: [ClosedRange<Int64>] = []
                if range.lowerBound < seq { parts.append(range.lowerBound...(seq - 1)) }
                if seq < range.upperBound { parts.append((seq + 1)...range.upperBound) }
                skipped.replaceSubrange(index...index, with: parts)
            }
        }
        advance(over: known)
    }

    /// Gives up on the missing sequences before the first pending one: the watermark jumps to just below
    /// it and moves over the run that follows; the missing range is remembered as skipped. Returns false when
    /// there is nothing pending.
    mutating func skipGap() -> Bool {
        guard let first = pending.first else { return false }
        if first - 1 > committed {
            skipped.append((committed + 1)...(first - 1))
            if skipped.count > Self.maxSkippedRanges { skipped.removeFirst(skipped.count - Self.maxSkippedRanges) }
        }
        committed = max(committed, first - 1)
        advance(over: Set(pending))
        return true
    }

    private mutating func advance(over known: Set<Int64>) {
        while known.contains(committed + 1) { committed += 1 }
        pending = known.filter { $0 > committed }.sorted()
    }

    private func binarySearch(_ sorted: [Int64], _ value: Int64) -> Bool {
        var low = 0, high = sorted.count
        while low < high {
            let mid = (low + high) / 2
            if sorted[mid] < value { low = mid + 1 } else { high = mid }
        }
        return low < sorted.count && sorted[low] == value
    }
}
