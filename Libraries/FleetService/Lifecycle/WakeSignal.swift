import Synchronization

/// A level-triggered wake-up for one waiting loop: ``fire()`` wakes the current or the next ``wait(timeout:)``;
/// many fires before a wake-up count once.
public final class WakeSignal: Sendable {
    private struct State {
        var pending = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    /// Creates a signal that has not fired.
    public init() {}

    /// Wakes the waiter, or the next one if nobody waits.
    public func fire() {
        let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
            if let waiter = s.waiter {
                s.waiter = nil
                return waiter
            }
            s.pending = true
            return nil
        }
        waiter?.resume()
    }

    /// Returns after ``fire()`` or `timeout`, whichever comes first (at once if fired meanwhile), or when the task is
    /// cancelled. Only one caller at a time.
    public func wait(timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await withTaskCancellationHandler {
                    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                        let resumeNow = self.state.withLock { s -> Bool in
                            if s.pending {
                                s.pending = false
                                return true
                            }
                            // Cancelled before it got to wait (the timeout elapsed first, or the caller was cancelled):
                            // nobody would resume a waiter installed now.
                            if Task.isCancelled { return true }
                            s.waiter = continuation
                            return false
                        }
                        if resumeNow { continuation.resume() }
                    }
                } onCancel: {
                    // Cancelled after it began waiting: the timeout task may already have looked and found nothing.
                    self.state.withLock { s -> CheckedContinuation<Void, Never>? in
                        defer { s.waiter = nil }
                        return s.waiter
                    }?.resume()
                }
            }
            group.addTask {
                // Only a timeout that really elapsed (or cancellation) releases the waiter.
                try? await Task.sleep(for: timeout)
                let waiter = self.state.withLock { s -> CheckedContinuation<Void, Never>? in
                    defer { s.waiter = nil }
                    return s.waiter
                }
                waiter?.resume()
            }
            await group.next()
            group.cancelAll()
        }
    }
}
