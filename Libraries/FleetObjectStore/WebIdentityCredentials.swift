import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// Where temporary credentials come from on Kubernetes with IAM roles for service accounts (EKS IRSA): the projected
/// service-account token (`AWS_WEB_IDENTITY_TOKEN_FILE`) exchanged with STS for the role `AWS_ROLE_ARN`.
public struct WebIdentity: Sendable, Equatable {
    public var roleARN: String
    public var tokenFile: String
    /// STS's endpoint: `AWS_ENDPOINT_URL_STS`, or the region's (`https://sts.<region>.amazonaws.com`).
    public var stsEndpoint: String
    public var sessionName: String

    public init(roleARN: String, tokenFile: String, stsEndpoint: String, sessionName: String = "fleet") {
        self.roleARN = roleARN
        self.tokenFile = tokenFile
        self.stsEndpoint = stsEndpoint
        self.sessionName = sessionName
    }
}

/// Credentials to sign with.
struct SigningCredentials: Sendable, Equatable {
    var accessKeyID: String
    var secretAccessKey: String
    var sessionToken: String?
    /// Unix seconds; nil for static keys.
    var expiration: Int64?
}

/// Fetches and caches STS `AssumeRoleWithWebIdentity` credentials, refreshing them 5 minutes before they expire
/// (the token file is read again each time: Kubernetes rotates it).
actor WebIdentityCredentialProvider {
    let identity: WebIdentity
    let httpClient: HTTPClient
    let logger: Logger
    private var cached: SigningCredentials?
    /// Seconds before expiry at which credentials are renewed.
    let refreshMargin: Int64 = 300

    init(identity: WebIdentity, httpClient: HTTPClient, logger: Logger) {
        self.identity = identity
        self.httpClient = httpClient
        self.logger = logger
    }

    func current(nowSeconds: Int64 = Int64(Date().timeIntervalSince1970)) async throws -> SigningCredentials {
        if let cached, let expiration = cached.expiration, expiration - refreshMargin > nowSeconds { return cached }
        let fresh = try await assumeRole()
        cached = fresh
        logger.debug("Web identity credentials renewed", metadata: ["aws.role_arn": "\(identity.roleARN)"])
        return fresh
    }

    private func assumeRole() async throws -> SigningCredentials {
        let token: String
        do {
            token = try String(contentsOfFile: identity.tokenFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        } catch {
            throw ObjectStoreError.configuration("web identity token file \(identity.tokenFile) cannot be read: \(error)")
        }
        let form = [
            ("Action", "AssumeRoleWithWebIdentity"), ("Version", "2011-06-15"), ("RoleArn", identity.roleARN),
            ("RoleSessionName", identity.sessionName), ("WebIdentityToken", token), ("DurationSeconds", "3600"),
        ].map { "\($0.0)=\(SigV4Signer.encode($0.1))" }.joined(separator: "&")
        var endpoint = identity.stsEndpoint
        while endpoint.hasSuffix("/") { endpoint.removeLast() }
        var request = HTTPClientRequest(url: endpoint + "/")
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/x-www-form-urlencoded; charset=utf-8")
        request.body = .bytes(ByteBuffer(string: form))
        let response: HTTPClientResponse
        do {
            response = try await httpClient.execute(request, timeout: .seconds(30), logger: logger)
        } catch {
            throw ObjectStoreError.status(0, code: "Unreachable", message: "\(error)", operation: "AssumeRoleWithWebIdentity")
        }
        let body = Array(try await response.body.collect(upTo: 1 << 20).readableBytesView)
        let text = String(decoding: body, as: UTF8.self)
        guard response.status == .ok else {
            let error = S3ListParser.error(body)
            throw ObjectStoreError.status(
                Int(response.status.code), code: error.code, message: error.message, operation: "AssumeRoleWithWebIdentity")
        }
        guard let key = S3ListParser.first("AccessKeyId", in: text), let secret = S3ListParser.first("SecretAccessKey", in: text),
            let expiration = S3ListParser.first("Expiration", in: text).flatMap(Self.epochSeconds)
        else {
            throw ObjectStoreError.malformedResponse("AssumeRoleWithWebIdentity answer without credentials")
        }
        return SigningCredentials(
            accessKeyID: key, secretAccessKey: secret, sessionToken: S3ListParser.first("SessionToken", in: text), expiration: expiration)
    }

    /// Seconds since 1970 of an ISO 8601 time (`2026-12-07T13:00:00Z`, fractions allowed).
    static func epochSeconds(_ text: String) -> Int64? {
        if let date = try? Date(text, strategy: .iso8601) { return Int64(date.timeIntervalSince1970) }
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) {
            return Int64(date.timeIntervalSince1970)
        }
        return nil
    }
}
