import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// An ``ObjectStore`` on an S3-compatible service (AWS S3, MinIO, moto…), signed with AWS Signature V4.
///
/// Uses the caller's `HTTPClient` (the caller shuts it down). Every call is one HTTP request; listing follows
/// continuation tokens.
public struct S3ObjectStore: ObjectStore {
    public let configuration: S3Configuration
    let httpClient: HTTPClient
    let logger: Logger
    /// Per-request deadline.
    public var timeout: TimeAmount
    /// Largest object `get` accepts, so a wrong key cannot exhaust memory.
    public var maxObjectBytes: Int
    /// Keys per listing page (`max-keys`); nil leaves the store's default (1,000 on S3).
    public var listPageSize: Int?
    private let scheme: String
    private let host: String
    private let port: Int?
    /// Static keys, or nil when ``webIdentity`` supplies temporary ones.
    private let staticCredentials: SigningCredentials?
    private let webIdentity: WebIdentityCredentialProvider?

    public init(
        configuration: S3Configuration, httpClient: HTTPClient, logger: Logger, timeout: TimeAmount = .seconds(60),
        maxObjectBytes: Int = 1 << 30
    ) throws {
        guard !configuration.bucket.isEmpty, !configuration.bucket.contains("/") else {
            throw ObjectStoreError.configuration("bucket name '\(configuration.bucket)' is empty or holds a '/'")
        }
        guard configuration.webIdentity != nil || (!configuration.accessKeyID.isEmpty && !configuration.secretAccessKey.isEmpty) else {
            throw ObjectStoreError.configuration("access key id and secret access key (or a web identity role) are required")
        }
        (scheme, host, port) = try configuration.parsedEndpoint()
        self.configuration = configuration
        self.httpClient = httpClient
        self.logger = logger
        self.timeout = timeout
        self.maxObjectBytes = maxObjectBytes
        if let identity = configuration.webIdentity {
            webIdentity = WebIdentityCredentialProvider(identity: identity, httpClient: httpClient, logger: logger)
            staticCredentials = nil
        } else {
            webIdentity = nil
            staticCredentials = SigningCredentials(
                accessKeyID: configuration.accessKeyID, secretAccessKey: configuration.secretAccessKey,
                sessionToken: configuration.sessionToken, expiration: nil)
        }
    }

    // MARK: ObjectStore

    public func put(_ key: String, body: [UInt8], contentType: String) async throws {
        let response = try await send(
            "PUT", key: key, body: body, headers: [("content-type", contentType)], operation: "PUT \(key)")
        _ = try await expectSuccess(response, operation: "PUT \(key)", key: key)
    }

    public func get(_ key: String, range: Range<Int>?) async throws -> [UInt8] {
        var headers: [(String, String)] = []
        if let range {
            guard !range.isEmpty else { return [] }
            headers.append(("range", "bytes=\(range.lowerBound)-\(range.upperBound - 1)"))
        }
        let response = try await send("GET", key: key, headers: headers, operation: "GET \(key)")
        let body = try await expectSuccess(response, operation: "GET \(key)", key: key)
        if let range, response.status == .ok {
            // A store that ignores Range sends the whole object: cut the part asked for.
            guard range.upperBound <= body.count else {
                throw ObjectStoreError.malformedResponse("GET \(key): asked for bytes \(range), object has \(body.count)")
            }
            return Array(body[range])
        }
        return body
    }

    public func head(_ key: String) async throws -> ObjectInfo? {
        let response = try await send("HEAD", key: key, operation: "HEAD \(key)")
        if response.status == .notFound { return nil }
        _ = try await expectSuccess(response, operation: "HEAD \(key)", key: key)
        guard let length = response.headers.first(name: "content-length").flatMap(Int.init) else {
            throw ObjectStoreError.malformedResponse("HEAD \(key) without a content-length")
        }
        return ObjectInfo(key: key, size: length, etag: response.headers.first(name: "etag").map(Self.unquote))
    }

    public func list(prefix: String) async throws -> [ObjectInfo] {
        var objects: [ObjectInfo] = []
        var token: String?
        repeat {
            var query = [("list-type", "2"), ("prefix", prefix)]
            if let listPageSize { query.append(("max-keys", "\(listPageSize)")) }
            if let token { query.append(("continuation-token", token)) }
            let response = try await send("GET", key: nil, query: query, operation: "LIST \(prefix)")
            let body = try await expectSuccess(response, operation: "LIST \(prefix)", key: nil)
            let page = try S3ListParser.parse(body)
            objects += page.objects
            token = page.isTruncated ? page.nextToken : nil
            if page.isTruncated && token == nil {
                throw ObjectStoreError.malformedResponse("LIST \(prefix): truncated page without a continuation token")
            }
        } while token != nil
        return objects.sorted { $0.key < $1.key }
    }

    public func delete(_ key: String) async throws {
        let response = try await send("DELETE", key: key, operation: "DELETE \(key)")
        if response.status == .notFound { return }
        _ = try await expectSuccess(response, operation: "DELETE \(key)", key: key)
    }

    /// Creates the bucket if it does not exist (local stacks and tests; production buckets come from Terraform).
    public func createBucketIfMissing() async throws {
        let response = try await send("PUT", key: nil, operation: "CREATE BUCKET \(configuration.bucket)")
        if response.status == .conflict { return }  // BucketAlreadyOwnedByYou
        _ = try await expectSuccess(response, operation: "CREATE BUCKET \(configuration.bucket)", key: nil)
    }

    // MARK: Requests

    private func send(
        _ method: String, key: String?, query: [(String, String)] = [], body: [UInt8] = [], headers: [(String, String)] = [],
        operation: String
    ) async throws -> HTTPClientResponse {
        var path = configuration.pathStyle ? "/\(SigV4Signer.encode(configuration.bucket))" : ""
        if let key {
            guard !key.isEmpty else { throw ObjectStoreError.configuration("empty object key") }
            path += "/" + SigV4Signer.encode(key, keepSlash: true)
        } else if !configuration.pathStyle {
            path = "/"
        }
        let hostName = configuration.pathStyle ? host : "\(configuration.bucket).\(host)"
        let hostHeader = port.map { "\(hostName):\($0)" } ?? hostName
        let queryString = query.map { "\(SigV4Signer.encode($0.0))=\(SigV4Signer.encode($0.1))" }.joined(separator: "&")
        var request = HTTPClientRequest(url: "\(scheme)://\(hostHeader)\(path)\(queryString.isEmpty ? "" : "?" + queryString)")
        request.method = HTTPMethod(rawValue: method)
        let hash = SigV4Signer.payloadHash(body)
        let credentials: SigningCredentials
        if let staticCredentials {
            credentials = staticCredentials
        } else {
            credentials = try await webIdentity!.current()
        }
        let signer = SigV4Signer(
            accessKeyID: credentials.accessKeyID, secretAccessKey: credentials.secretAccessKey, sessionToken: credentials.sessionToken,
            region: configuration.region)
        for (name, value) in signer.headers(
            method: method, host: hostHeader, path: path.isEmpty ? "/" : path, query: query, payloadSHA256: hash,
            epochSeconds: Self.wallClockSeconds())
        {
            request.headers.add(name: name, value: value)
        }
        request.headers.add(name: "host", value: hostHeader)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if !body.isEmpty || method == "PUT" {
            request.headers.add(name: "content-length", value: "\(body.count)")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        do {
            return try await httpClient.execute(request, timeout: timeout, logger: logger)
        } catch {
            throw ObjectStoreError.status(0, code: "Unreachable", message: "\(error)", operation: operation)
        }
    }

    /// The body of a 2xx answer; the S3 error otherwise.
    private func expectSuccess(_ response: HTTPClientResponse, operation: String, key: String?) async throws -> [UInt8] {
        let limit = (200..<300).contains(Int(response.status.code)) ? maxObjectBytes : 64 * 1024
        let buffer = try await response.body.collect(upTo: limit)
        let bytes = Array(buffer.readableBytesView)
        guard (200..<300).contains(Int(response.status.code)) else {
            let error = S3ListParser.error(bytes)
            if response.status == .notFound, let key, error.code == nil || error.code == "NoSuchKey" {
                throw ObjectStoreError.notFound(key: key)
            }
            throw ObjectStoreError.status(
                Int(response.status.code), code: error.code, message: error.message, operation: operation)
        }
        return bytes
    }

    static func unquote(_ etag: String) -> String {
        etag.hasPrefix("\"") && etag.hasSuffix("\"") && etag.count >= 2 ? String(etag.dropFirst().dropLast()) : etag
    }

    /// Seconds since 1970 from the system clock (SigV4 dates must be within 15 minutes of the store's).
    static func wallClockSeconds() -> Int64 {
        Int64(Date().timeIntervalSince1970)
    }
}
