import Synchronization

/// Wakes long-polls (`GET /v1/commands/{id}?wait=`) when a command's status changes in this process in a way that can end
/// the wait (an answer or expiry; not `pending` → `sent`).
///
/// It also knows which commands this process created and has not yet seen answered or expired ("open"): a long-poll on
/// one of those starts waiting without reading the command first, as it is known to be waiting for its vehicle.
final class CommandNotifier: Sendable {
    private struct State {
        var nextToken = 0
        var waiters: [String: [Int: AsyncStream<Void>.Continuation]] = [:]
        var open = Set<String>()
    }

    private let state = Mutex(State())
    /// Most open commands remembered. Past it (vehicles offline for long, answers stored by another replica) further
    /// commands are simply read on their first long-poll.
    let openCapacity: Int

    init(openCapacity: Int = 100_000) {
        self.openCapacity = openCapacity
    }

    /// Records commands just stored as `pending`. Call before they are published, so their answers find them.
    func opened(_ commandIDs: [String]) {
        state.withLock { s in
            for id in commandIDs where s.open.count < openCapacity { s.open.insert(id) }
        }
    }

    /// Tells every waiter on `commandID` that its status changed.
    func notify(_ commandID: String) {
        let continuations = state.withLock { s in
            s.open.remove(commandID)
            return s.waiters.removeValue(forKey: commandID)
        }
        for continuation in continuations?.values ?? [:].values { continuation.yield() }
    }

    /// Commands currently known to be open (for tests and metrics).
    var openCount: Int { state.withLock { $0.open.count } }

    /// Calls `check` until it returns a value or `timeout` passes, re-checking after every change notification.
    ///
    /// The waiter is registered before each check, so a change between the check and the wait is not missed. The first
    /// check is skipped for an open command (see ``opened(_:)``): it would find the command waiting.
    func wait<Value: Sendable>(
        for commandID: String, timeout: Duration, check: () async throws -> Value?
    ) async throws -> Value? {
        let deadline = ContinuousClock.now + timeout
        var first = true
        while true {
            let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
            let (token, open) = state.withLock { s in
                s.nextToken += 1
                s.waiters[commandID, default: [:]][s.nextToken] = continuation
                return (s.nextToken, s.open.contains(commandID))
            }
            defer {
                state.withLock { s in
                    s.waiters[commandID]?.removeValue(forKey: token)
                    if s.waiters[commandID]?.isEmpty == true { s.waiters.removeValue(forKey: commandID) }
                }
                continuation.finish()
            }
            if !(first && open), let value = try await check() { return value }
            first = false
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
