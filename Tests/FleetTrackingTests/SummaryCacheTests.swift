import Synchronization
import Testing

@testable import FleetTracking

@Suite("Fleet summary cache")
struct SummaryCacheTests {
    final class Calls: Sendable {
        let count = Mutex(0)
        func next() -> Int { count.withLock { $0 += 1; return $0 } }
        var value: Int { count.withLock { $0 } }
    }

    static func summary(_ n: Int) -> FleetSummary {
        FleetSummary(
            vehicles: n, online: 0, offline: 0, unknownConnectivity: n, byStatus: [:], moving: 0, overspeed: 0,
            stalestOnlineSeconds: nil, generatedAt: "\(n)")
    }

    @Test("Computed at most once per max age, shared by concurrent callers; max age 0 computes every time; a failure is not cached")
    func staleness() async throws {
        let calls = Calls()
        let compute: @Sendable (Int64) async throws -> FleetSummary = { _ in
            try await Task.sleep(for: .milliseconds(20))
            return Self.summary(calls.next())
        }
        let cache = SummaryCache(maxAgeMillis: 1_000)
        #expect(try await cache.summary(nowMillis: 10_000, compute: compute).vehicles == 1)
        #expect(try await cache.summary(nowMillis: 10_999, compute: compute).vehicles == 1)
        #expect(try await cache.summary(nowMillis: 11_000, compute: compute).vehicles == 1)
        #expect(try await cache.summary(nowMillis: 11_001, compute: compute).vehicles == 2)
        // A clock that went back does not serve a summary "from the future".
        #expect(try await cache.summary(nowMillis: 9_000, compute: compute).vehicles == 3)
        let concurrent = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<10 { group.addTask { try await cache.summary(nowMillis: 20_000, compute: compute).vehicles } }
            return try await group.reduce(into: Set<Int>()) { $0.insert($1) }
        }
        #expect(concurrent == [4])
        #expect(calls.value == 4)

        let uncached = SummaryCache(maxAgeMillis: 0)
        _ = try await uncached.summary(nowMillis: 1, compute: compute)
        _ = try await uncached.summary(nowMillis: 2, compute: compute)
        #expect(calls.value == 6)

        struct Down: Error {}
        let failing = SummaryCache(maxAgeMillis: 1_000)
        await #expect(throws: Down.self) { _ = try await failing.summary(nowMillis: 1) { _ in throw Down() } }
        #expect(try await failing.summary(nowMillis: 2, compute: compute).vehicles == 7)
    }
}
