import FleetService
import Testing

@testable import FleetControl

/// The in-memory pieces that keep round trips off the command paths: group commit and the token cache.
@Suite("fleet-control group commit and token cache")
struct GroupCommitTests {
    /// Records the batches a ``GroupCommit`` writes and whether two writes ever overlapped.
    actor Recorder {
        var written: [Int] = []
        var batchSizes: [Int] = []
        var writing = 0
        var overlapped = false

        func begin(_ batch: [Int]) {
            writing += 1
            if writing > 1 { overlapped = true }
            batchSizes.append(batch.count)
        }

        func end(_ batch: [Int]) {
            written += batch
            writing -= 1
        }
    }

    @Test("Group commit writes every item exactly once, one batch at a time, at most maxBatch items per batch")
    func groupCommit() async {
        let commit = GroupCommit<Int>(maxBatch: 7)
        let recorder = Recorder()
        await withDiscardingTaskGroup { group in
            for item in 0..<500 {
                group.addTask {
                    await commit.submit(item) { batch in
                        await recorder.begin(batch)
                        await Task.yield()
                        await recorder.end(batch)
                    }
                }
            }
        }
        #expect(await recorder.written.sorted() == Array(0..<500))
        #expect(await !recorder.overlapped)
        #expect(await recorder.batchSizes.allSatisfy { (1...7).contains($0) })
        #expect(await recorder.writing == 0)
    }

    @Test("The token cache keeps a found token for its time to live, and a lookup begun before a clear is not kept")
    func tokenCache() {
        let cache = TokenCache(timeToLive: .seconds(1))
        let identity = Identity(tokenID: "tok_1", name: "ops", scopes: [.fleetRead])
        let start = ContinuousClock.now
        #expect(cache.lookup(hash: "h", now: start)?.identity == nil)
        cache.store(hash: "h", identity: identity, revoked: false, generation: cache.generation, now: start)
        #expect(cache.lookup(hash: "h", now: start + .milliseconds(500))?.identity == identity)
        #expect(cache.lookup(hash: "h", now: start + .seconds(2))?.identity == nil)

        // A revocation clears the cache; a lookup that read the database before it must not refill it.
        let before = cache.generation
        cache.removeAll()
        cache.store(hash: "h", identity: identity, revoked: false, generation: before, now: start)
        #expect(cache.lookup(hash: "h", now: start)?.identity == nil)
        cache.store(hash: "h", identity: identity, revoked: true, generation: cache.generation, now: start)
        #expect(cache.lookup(hash: "h", now: start)?.revoked == true)
    }
}
