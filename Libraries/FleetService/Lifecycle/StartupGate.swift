import Synchronization

/// Opens once, when a service's preparation (migrations, caches) is done; background loops wait on it before they
/// touch the database.
///
/// ```swift
/// let gate = StartupGate()
/// app.beforeServerStarts { try await migrations.migrate(); gate.open() }
/// services.append(GatedService(gate: gate, base: consumer))
/// ```
public final class StartupGate: Sendable {
    private struct State {
        var open = false
        var nextID = 0
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    }

    private let state = Mutex(State())

    /// Creates a closed gate.
    public init() {}

    /// Opens the gate and releases every waiter, now and later.
    public func open() {
        let waiters = state.withLock { s in
            s.open = true
            defer { s.waiters.removeAll() }
            return Array(s.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Whether the gate is open.
    public var isOpen: Bool { state.withLock { $0.open } }

    /// Waits until the gate opens; returns early when the task is cancelled (check ``isOpen`` afterwards).
    public func wait() async {
        let id = state.withLock { s in
            s.nextID += 1
            return s.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { s -> Bool in
                    if s.open || Task.isCancelled { return true }
                    s.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }
}
