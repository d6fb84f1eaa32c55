import AsyncHTTPClient
import FleetTestSupport
import Foundation
import Testing

@testable import FleetObjectStore

/// IAM roles for service accounts (EKS IRSA) against the real STS API of the local stack's server (moto answers
/// AssumeRoleWithWebIdentity with temporary credentials).
@Suite(.enabled(if: TestObjectStore.isConfigured, "needs FLEET_STACK_S3_ENDPOINT (scripts/stack.sh)"))
struct WebIdentityTests {
    static func tokenFile(_ contents: String = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6ZmxlZXQ6ZmxlZXQtdHJhY2tpbmcifQ.c2ln") throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("web-identity-\(UUID().uuidString)").path
        try contents.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("Temporary credentials from STS: cached until 5 minutes before they expire, then renewed; the store signs with them")
    func assumesTheRoleAndRenews() async throws {
        let endpoint = TestObjectStore.configuration(bucket: "x").endpoint
        let file = try Self.tokenFile()
        defer { try? FileManager.default.removeItem(atPath: file) }
        let identity = WebIdentity(roleARN: "arn:aws:iam::123456789012:role/fleet-tracking", tokenFile: file, stsEndpoint: endpoint)
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let provider = WebIdentityCredentialProvider(identity: identity, httpClient: http, logger: silentLogger)
            let now = Int64(Date().timeIntervalSince1970)
            let first = try await provider.current(nowSeconds: now)
            #expect(!first.accessKeyID.isEmpty && !first.secretAccessKey.isEmpty && first.sessionToken != nil)
            let expiration = try #require(first.expiration)
            #expect(expiration > now + 600)
            #expect(try await provider.current(nowSeconds: now + 60) == first)
            let renewed = try await provider.current(nowSeconds: expiration - 200)
            #expect(renewed.expiration != nil)
            #expect(renewed != first)

            // The object store with a role and no static keys.
            var configuration = TestObjectStore.configuration(bucket: TestObjectStore.bucketName())
            configuration.accessKeyID = ""
            configuration.secretAccessKey = ""
            configuration.webIdentity = identity
            let store = try S3ObjectStore(configuration: configuration, httpClient: http, logger: silentLogger)
            try await store.createBucketIfMissing()
            try await store.put("k", body: [1, 2, 3], contentType: "application/octet-stream")
            #expect(try await store.get("k") == [1, 2, 3])
            try await store.delete("k")

            // A token file that is not there: a configuration error naming it, at the first request.
            var missing = configuration
            missing.webIdentity = WebIdentity(roleARN: identity.roleARN, tokenFile: "/nonexistent/token", stsEndpoint: endpoint)
            let broken = try S3ObjectStore(configuration: missing, httpClient: http, logger: silentLogger)
            await #expect(throws: ObjectStoreError.self) { try await broken.put("k", body: [1], contentType: "x") }
        } catch {
            try? await http.shutdown()
            throw error
        }
        try await http.shutdown()
    }
}
