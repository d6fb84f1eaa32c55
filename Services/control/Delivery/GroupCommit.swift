import Synchronization

/// Turns many small writes into few batched ones (group commit).
///
/// ``submit(_:write:)`` queues an item. If no batch is being written, the caller becomes the writer: it writes what is
/// queued, in batches of at most `maxBatch`, until the queue is empty. Otherwise it returns at once and the writer in
/// progress takes the item with its next batch. So at most one batch is written at a time, a lone item is written
/// without delay, and under load the batches grow instead of the queue of round trips.
final class GroupCommit<Item: Sendable>: Sendable {
    private struct State {
        var items: [Item] = []
        var writing = false
    }

    private let state = Mutex(State())
    let maxBatch: Int

    init(maxBatch: Int) {
        self.maxBatch = max(1, maxBatch)
    }

    /// Queues `item`; writes batches with `write` if nobody else is writing. Every caller passes the same `write`.
    func submit(_ item: Item, write: @Sendable ([Item]) async -> Void) async {
        let leads = state.withLock { s in
            s.items.append(item)
            if s.writing { return false }
            s.writing = true
            return true
        }
        guard leads else { return }
        while let batch = nextBatch() {
            await write(batch)
        }
    }

    /// The next batch, or `nil` (and no longer writing) when the queue is empty.
    private func nextBatch() -> [Item]? {
        state.withLock { s in
            guard !s.items.isEmpty else {
                s.writing = false
                return nil
            }
            let batch = Array(s.items.prefix(maxBatch))
            s.items.removeFirst(batch.count)
            return batch
        }
    }
}
