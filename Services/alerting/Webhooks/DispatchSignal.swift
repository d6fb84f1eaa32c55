/// Wakes the dispatcher when new deliveries were written, so it need not wait for its next poll.
struct DispatchSignal: Sendable {
    let stream: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation

    init() {
        (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Signals that deliveries are due (coalesced: many signals before a wake-up count once).
    func notify() { continuation.yield() }
}
