import Synchronization

/// Wakes long-polls (`GET /v1/commands/{id}?wait=`) when a command's status changes in this process in a way that can end
/// the wait (an answer or expiry; not `pending` → `sent`).
final class CommandNotifier: Sendable {
    private struct State {
        var nextToken = 0
        var waiters: [String: [Int: AsyncStream<Void>.Continuation]] = [:]
    }

    private let state = Mutex(State())

    /// Tells every waiter on `commandID` that its status changed.
    func notify(_ commandID: String) {
        let continuations = state.withLock { $0.waiters.removeValue(forKey: commandID) }
        for continuation in continuations?.values ?? [:].values { continuation.yield() }
    }

    /// Calls `check` until it returns a value or `timeout` passes, re-checking after every change notification.
    ///
    /// The waiter is registered before each check, so a change between the check and the wait is not missed.
    func wait<Value: Sendable>(
        for commandID: String, timeout: Duration, check: () async throws -> Value?
    ) async throws -> Value? {
        let deadline = ContinuousClock.now + timeout
        while true {
            let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
            let token = state.withLock { s in
                s.nextToken += 1
                s.waiters[commandID, default: [:]][s.nextToken] = continuation
                return s.nextToken
            }
            defer {
                state.withLock { s in
                    s.waiters[commandID]?.removeValue(forKey: token)
                    if s.waiters[commandID]?.isEmpty == true { s.waiters.removeValue(forKey: commandID) }
                }
                continuation.finish()
            }
            if let value = try await check() { return value }
            guard ContinuousClock.now < deadline else { return nil }
            let changed = await withTaskGroup(of: Bool.self) { group in
                group.addTask {
                    for await _ in stream { return true }
                    return false
                }
                group.addTask {
                    try? await Task.sleep(until: deadline, clock: .continuous)
                    return false
                }
                let first = await group.next() ?? false
                group.cancelAll()
                return first
            }
            if !changed { return try await check() }
        }
    }
}
