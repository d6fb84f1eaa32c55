import AsyncHTTPClient
import FleetObjectStore
import Foundation
import Logging

/// The real S3-compatible server the test script starts (moto's server mode, `scripts/stack.sh`).
///
/// Tests using it are enabled when `FLEET_STACK_S3_ENDPOINT` is set; if it is set but the server does not answer, they
/// fail.
public enum TestObjectStore {
    public static var isConfigured: Bool {
        ProcessInfo.processInfo.environment["FLEET_STACK_S3_ENDPOINT"] != nil
    }

    /// The stack's endpoint and credentials with `bucket`.
    public static func configuration(bucket: String) -> S3Configuration {
        let environment = ProcessInfo.processInfo.environment
        return S3Configuration(
            endpoint: environment["FLEET_STACK_S3_ENDPOINT"] ?? "http://127.0.0.1:14566", bucket: bucket,
            accessKeyID: environment["FLEET_STACK_S3_ACCESS_KEY_ID"] ?? "fleet-local",
            secretAccessKey: environment["FLEET_STACK_S3_SECRET_ACCESS_KEY"] ?? "fleet-local-secret")
    }

    /// The environment a service needs to archive into `bucket` (creating it at start-up).
    public static func serviceEnvironment(bucket: String, prefix: String = "fleet") -> [String: String] {
        let configuration = configuration(bucket: bucket)
        return [
            "FLEET_ARCHIVE_S3_ENDPOINT": configuration.endpoint, "FLEET_ARCHIVE_S3_BUCKET": bucket,
            "FLEET_ARCHIVE_S3_ACCESS_KEY_ID": configuration.accessKeyID,
            "FLEET_ARCHIVE_S3_SECRET_ACCESS_KEY": configuration.secretAccessKey, "FLEET_ARCHIVE_CREATE_BUCKET": "true",
            "FLEET_ARCHIVE_PREFIX": prefix,
        ]
    }

    /// A fresh bucket name.
    public static func bucketName() -> String {
        "fleet-test-" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(20)
    }

    /// Runs `body` with a store on a new, empty bucket; empties the bucket afterwards.
    public static func withBucket(_ body: (_ store: S3ObjectStore, _ bucket: String) async throws -> Void) async throws {
        let bucket = bucketName()
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let store = try S3ObjectStore(configuration: configuration(bucket: bucket), httpClient: http, logger: silentLogger)
            try await store.createBucketIfMissing()
            do {
                try await body(store, bucket)
            } catch {
                try? await empty(store)
                throw error
            }
            try await empty(store)
        } catch {
            try? await http.shutdown()
            throw error
        }
        try await http.shutdown()
    }

    /// A store on an existing bucket, for `body` only.
    public static func withStore(bucket: String, _ body: (_ store: S3ObjectStore) async throws -> Void) async throws {
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            try await body(try S3ObjectStore(configuration: configuration(bucket: bucket), httpClient: http, logger: silentLogger))
        } catch {
            try? await http.shutdown()
            throw error
        }
        try await http.shutdown()
    }

    private static func empty(_ store: S3ObjectStore) async throws {
        for object in try await store.list(prefix: "") { try await store.delete(object.key) }
    }
}
