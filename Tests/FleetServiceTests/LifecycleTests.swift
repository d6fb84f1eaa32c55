import FleetTestSupport
import Synchronization
import ServiceLifecycle
import Testing

@testable import FleetService

/// Rounds completed by a background loop.
final class Progress: Sendable {
    let count = Mutex(0)
}

@Suite("Lifecycle helpers")
struct LifecycleTests {
    @Test("A wake signal's wait always returns: by its timeout (even one that elapses before it starts waiting), by a fire, or by cancellation")
    func wakeSignalNeverStrandsAWaiter() async throws {
        let signal = WakeSignal()
        let rounds = Progress()
        // Unstructured, so that a stranded wait fails this test instead of hanging the suite.
        _ = Task {
            // Timeouts short enough to elapse before the waiting task is scheduled, with fires in between: a waiter
            // installed after its timeout task gave up used to wait for ever.
            for round in 0..<5_000 {
                if round % 3 == 0 { signal.fire() }
                await signal.wait(timeout: .nanoseconds(round % 7))
                rounds.count.withLock { $0 += 1 }
            }
        }
        try await eventually("5,000 waits returned", seconds: 60) { rounds.count.withLock { $0 } == 5_000 }

        // A caller cancelled while waiting returns at once.
        let waiter = Task { await signal.wait(timeout: .seconds(3_600)) }
        try await Task.sleep(for: .milliseconds(20))
        waiter.cancel()
        try await eventually("the cancelled wait returns", seconds: 5) {
            await withTaskGroup(of: Bool.self) { group in
                group.addTask { await waiter.value; return true }
                group.addTask { try? await Task.sleep(for: .milliseconds(100)); return false }
                let done = await group.next() ?? false
                group.cancelAll()
                return done
            }
        }
    }

    @Test("A gated service runs only after the gate opens, and not at all when shutdown comes first")
    func startupGate() async throws {
        let gate = StartupGate()
        let waiting = Task { await gate.wait(); return gate.isOpen }
        try await Task.sleep(for: .milliseconds(20))
        #expect(!gate.isOpen)
        gate.open()
        #expect(await waiting.value)
        let never = StartupGate()
        let cancelled = Task { await never.wait(); return never.isOpen }
        cancelled.cancel()
        #expect(await cancelled.value == false, "a cancelled wait returns with the gate still closed")
    }

    @Test("Graceful shutdown lets a periodic run in progress finish (no transaction cut short), then starts no new run")
    func periodicRunFinishesOnShutdown() async throws {
        let started = Progress()
        let finished = Progress()
        let service = PeriodicService(name: "slow work", interval: .milliseconds(10), logger: silentLogger) {
            started.count.withLock { $0 += 1 }
            // Stands for a transaction: a cancelled run throws here instead of finishing.
            try await Task.sleep(for: .milliseconds(400))
            finished.count.withLock { $0 += 1 }
        }
        let group = ServiceGroup(
            configuration: .init(services: [.init(service: service)], gracefulShutdownSignals: [], logger: silentLogger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await eventually("the first run started") { started.count.withLock { $0 } == 1 }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(finished.count.withLock { $0 } == 1, "the run in progress finished")
        #expect(started.count.withLock { $0 } == 1, "no run started after shutdown began")
    }
}
