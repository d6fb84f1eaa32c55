import FleetService
import Testing

/// ``retryingPostgresConflicts(attempts:willRetry:_:)`` runs again only on PostgreSQL conflicts.
@Suite("PostgreSQL conflict retry")
struct PostgresConflictRetryTests {
    struct NotAConflict: Error {}

    @Test("A value is returned from the first attempt; another error is thrown at once, without a retry")
    func onlyConflictsAreRetried() async throws {
        var calls = 0
        var retries = 0
        let value = try await retryingPostgresConflicts(willRetry: { _, _ in retries += 1 }) { () async throws -> Int in
            calls += 1
            return 42
        }
        #expect(value == 42 && calls == 1)
        await #expect(throws: NotAConflict.self) {
            try await retryingPostgresConflicts(willRetry: { _, _ in retries += 1 }) { () async throws -> Int in
                calls += 1
                throw NotAConflict()
            }
        }
        #expect(calls == 2 && retries == 0)
        #expect(!isPostgresConflict(NotAConflict()))
    }
}
