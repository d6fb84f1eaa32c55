/// Bounds how many consumed events are queued or being applied, so a slow database slows the MQTT
/// subscription (back-pressure) instead of growing memory.
actor InFlightLimiter {
    private let limit: Int
    private var inFlight = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []

    init(limit: Int) { self.limit = max(1, limit) }

    /// Waits for a free slot and takes it.
    func acquire() async {
        while inFlight >= limit {
            await withCheckedContinuation { waiters.append($0) }
        }
        inFlight += 1
    }

    /// Frees `count` slots (a whole applied batch at once).
    func release(_ count: Int = 1) {
        inFlight -= count
        for _ in 0..<max(0, min(count, waiters.count)) {
            waiters.removeFirst().resume()
        }
    }
}
