import Synchronization

/// Everything the dispatch loop reacts to, posted from other tasks: outcomes of finished deliveries, endpoints that
/// recovered, word that deliveries may be due, graceful shutdown. Posts wake the loop; wake-ups coalesce, and the loop
/// takes all that was posted since it last looked in one go (so one statement records many outcomes).
final class DispatchInbox: Sendable {
    /// What was posted since the loop last looked.
    struct Mail: Sendable {
        var outcomes: [DeliveryOutcome] = []
        /// Webhooks whose circuit closed again: their backlog is to be made due.
        var recovered: Set<String> = []
        /// Deliveries may be due: new outbox rows, a poll tick.
        var due = false
        /// Graceful shutdown: claim nothing more, finish and record what is in flight. Stays set.
        var stopping = false
    }

    /// Wake-ups for the loop; one pending wake-up stands for any number of posts.
    let wakeUps: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation
    private let mail = Mutex(Mail())

    init() {
        (wakeUps, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// A delivery attempt ended.
    func post(_ outcome: DeliveryOutcome) {
        mail.withLock { $0.outcomes.append(outcome) }
        continuation.yield()
    }

    /// The endpoint of `webhookID` answered again after its circuit was open.
    func recovered(_ webhookID: String) {
        mail.withLock { _ = $0.recovered.insert(webhookID) }
        continuation.yield()
    }

    /// Deliveries may be due.
    func markDue() {
        mail.withLock { $0.due = true }
        continuation.yield()
    }

    /// Graceful shutdown began.
    func stop() {
        mail.withLock { $0.stopping = true }
        continuation.yield()
    }

    /// Takes everything posted so far (``Mail/stopping`` stays set).
    func take() -> Mail {
        mail.withLock { current in
            let taken = current
            current = Mail(stopping: current.stopping)
            return taken
        }
    }
}
