import AsyncHTTPClient
import FleetObjectStore
import FleetTestSupport
import NIOCore
import Testing

/// Against the real S3-compatible server of the local stack (moto's server mode).
@Suite(.enabled(if: TestObjectStore.isConfigured, "needs FLEET_STACK_S3_ENDPOINT (scripts/stack.sh)"))
struct S3ObjectStoreTests {
    @Test func putGetRangeHeadListDelete() async throws {
        try await TestObjectStore.withBucket { store, _ in
            let body = Array((0..<10_000).map { UInt8($0 % 251) })
            try await store.put("day=2026-01-01/part 1.bin", body: body, contentType: "application/octet-stream")
            #expect(try await store.get("day=2026-01-01/part 1.bin") == body)
            #expect(try await store.get("day=2026-01-01/part 1.bin", range: 100..<357) == Array(body[100..<357]))
            let info = try #require(try await store.head("day=2026-01-01/part 1.bin"))
            #expect(info.size == body.count)
            #expect(try await store.head("day=2026-01-01/missing") == nil)
            await #expect(throws: ObjectStoreError.notFound(key: "nope")) { _ = try await store.get("nope") }
            try await store.put("day=2026-01-02/a.json", body: Array("{}".utf8), contentType: "application/json")
            #expect(try await store.list(prefix: "day=2026-01-01/").map(\.key) == ["day=2026-01-01/part 1.bin"])
            #expect(try await store.list(prefix: "").count == 2)
            try await store.delete("day=2026-01-01/part 1.bin")
            try await store.delete("day=2026-01-01/part 1.bin")  // again: not an error
            #expect(try await store.list(prefix: "day=2026-01-01/").isEmpty)
        }
    }

    @Test func listingFollowsContinuationTokens() async throws {
        try await TestObjectStore.withBucket { store, bucket in
            for index in 0..<7 {
                try await store.put("k/\(index)", body: [UInt8(index)], contentType: "application/octet-stream")
            }
            let http = HTTPClient(eventLoopGroupProvider: .singleton)
            var paged = try S3ObjectStore(configuration: TestObjectStore.configuration(bucket: bucket), httpClient: http, logger: silentLogger)
            paged.listPageSize = 2
            let keys = try await paged.list(prefix: "k/").map(\.key)
            try await http.shutdown()
            #expect(keys == (0..<7).map { "k/\($0)" })
        }
    }

    @Test func unreachableStoreAndMissingBucketAreErrors() async throws {
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        defer { _ = http.shutdown() }
        var closed = TestObjectStore.configuration(bucket: "b")
        closed.endpoint = "http://127.0.0.1:1"
        let unreachable = try S3ObjectStore(configuration: closed, httpClient: http, logger: silentLogger, timeout: .seconds(5))
        await #expect(throws: ObjectStoreError.self) { try await unreachable.put("k", body: [1], contentType: "x") }
        let missing = try S3ObjectStore(
            configuration: TestObjectStore.configuration(bucket: TestObjectStore.bucketName()), httpClient: http, logger: silentLogger)
        await #expect(throws: ObjectStoreError.self) { try await missing.put("k", body: [1], contentType: "x") }
        #expect(throws: ObjectStoreError.self) {
            _ = try S3ObjectStore(
                configuration: S3Configuration(endpoint: "http://x", bucket: "b", accessKeyID: "", secretAccessKey: ""), httpClient: http,
                logger: silentLogger)
        }
    }
}
