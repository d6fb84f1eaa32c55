import FleetCore
import Synchronization

/// One consumer partition's queue: the subscription loop appends events, the partition's worker takes everything
/// queued (up to a bound) whenever it is free, so events that arrived while it was busy become its next batch.
final class EventQueue: Sendable {
    /// Wake-ups for the worker; they coalesce, one pending wake-up standing for any number of appended events.
    let wakeUps: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation
    private let events = Mutex<[FleetEvent]>([])

    init() {
        (wakeUps, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Queues an event and wakes the worker.
    func append(_ event: FleetEvent) {
        events.withLock { $0.append(event) }
        continuation.yield()
    }

    /// Removes and returns up to `limit` of the oldest queued events; empty when nothing is queued.
    func take(max limit: Int) -> [FleetEvent] {
        events.withLock { queued in
            let count = min(max(1, limit), queued.count)
            let batch = Array(queued.prefix(count))
            queued.removeFirst(count)
            return batch
        }
    }

    /// The worker's loop: calls `body` with up to `limit` queued events at a time whenever woken, until ``finish()``
    /// was called and the queue is drained.
    func forEachBatch(max limit: Int, _ body: ([FleetEvent]) async throws -> Void) async rethrows {
        for await _ in wakeUps {
            while true {
                let batch = take(max: limit)
                if batch.isEmpty { break }
                try await body(batch)
            }
        }
    }

    /// No more events will be appended: the worker's wake-ups end after the pending one (so it drains the queue).
    func finish() {
        continuation.finish()
    }
}
