import Synchronization
import Testing

@testable import FleetControl

/// ``CommandNotifier``: long-polls end on notification, and an open command is not read before the first wait.
@Suite("fleet-control command notifier")
struct CommandNotifierTests {
    @Test("A long-poll on an open command waits without reading it; the notification ends the wait after one read")
    func openCommandSkipsFirstRead() async throws {
        let notifier = CommandNotifier()
        notifier.opened(["cmd-1"])
        #expect(notifier.openCount == 1)
        let reads = Atomic<Int>(0)
        let answered = Atomic<Bool>(false)
        async let result = notifier.wait(for: "cmd-1", timeout: .seconds(10)) { () async -> String? in
            reads.add(1, ordering: .relaxed)
            return answered.load(ordering: .acquiring) ? "acknowledged" : nil
        }
        try await Task.sleep(for: .milliseconds(100))
        #expect(reads.load(ordering: .relaxed) == 0)
        answered.store(true, ordering: .releasing)
        notifier.notify("cmd-1")
        #expect(try await result == "acknowledged")
        #expect(reads.load(ordering: .relaxed) == 1)
        #expect(notifier.openCount == 0)
    }

    @Test("A command not known to be open is read before waiting, and an answered one returns at once")
    func unknownCommandIsRead() async throws {
        let notifier = CommandNotifier()
        let reads = Atomic<Int>(0)
        let value = try await notifier.wait(for: "cmd-2", timeout: .seconds(10)) { () async -> String? in
            reads.add(1, ordering: .relaxed)
            return "completed"
        }
        #expect(value == "completed")
        #expect(reads.load(ordering: .relaxed) == 1)
    }

    @Test("A notification before the long-poll starts is not lost: the command is no longer open and is read")
    func notifiedBeforeWait() async throws {
        let notifier = CommandNotifier()
        notifier.opened(["cmd-3"])
        notifier.notify("cmd-3")
        let value = try await notifier.wait(for: "cmd-3", timeout: .seconds(10)) { () async -> String? in "acknowledged" }
        #expect(value == "acknowledged")
    }

    @Test("Open commands are remembered up to the capacity; past it they are read like any other")
    func capacity() async throws {
        let notifier = CommandNotifier(openCapacity: 2)
        notifier.opened(["a", "b", "c"])
        #expect(notifier.openCount == 2)
        let reads = Atomic<Int>(0)
        // Never answered: read before waiting and once more at the deadline; an open command would skip the first read.
        let value = try await notifier.wait(for: "c", timeout: .milliseconds(50)) { () async -> String? in
            reads.add(1, ordering: .relaxed)
            return nil
        }
        #expect(value == nil)
        #expect(reads.load(ordering: .relaxed) == 2)
    }
}
