/// Where an S3-compatible bucket is and how to sign for it.
public struct S3Configuration: Sendable, Equatable {
    /// `scheme://host[:port]` of the service, e.g. `https://s3.eu-west-1.amazonaws.com` or `http://127.0.0.1:9000`.
    public var endpoint: String
    public var region: String
    public var bucket: String
    public var accessKeyID: String
    public var secretAccessKey: String
    /// Temporary credentials' session token, sent as `x-amz-security-token`.
    public var sessionToken: String?
    /// Path-style addressing (`endpoint/bucket/key`): what MinIO and moto expect. Virtual-hosted style otherwise
    /// (`bucket.endpoint/key`), which AWS prefers.
    public var pathStyle: Bool
    /// Temporary credentials from STS for a role (EKS IRSA) instead of the static keys, which may then be empty.
    public var webIdentity: WebIdentity?

    public init(
        endpoint: String, region: String = "us-east-1", bucket: String, accessKeyID: String, secretAccessKey: String,
        sessionToken: String? = nil, pathStyle: Bool = true, webIdentity: WebIdentity? = nil
    ) {
        self.webIdentity = webIdentity
        self.endpoint = endpoint
        self.region = region
        self.bucket = bucket
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.pathStyle = pathStyle
    }

    /// Throws when the endpoint is not `http(s)://host[:port]`.
    public func validate() throws { _ = try parsedEndpoint() }

    /// The endpoint split into scheme, host and port; throws when it is not `http(s)://host[:port]`.
    func parsedEndpoint() throws -> (scheme: String, host: String, port: Int?) {
        var rest = Substring(endpoint)
        let scheme: String
        if rest.hasPrefix("https://") {
            scheme = "https"
            rest = rest.dropFirst(8)
        } else if rest.hasPrefix("http://") {
            scheme = "http"
            rest = rest.dropFirst(7)
        } else {
            throw ObjectStoreError.configuration("endpoint '\(endpoint)' must start with http:// or https://")
        }
        while rest.hasSuffix("/") { rest = rest.dropLast() }
        guard !rest.isEmpty, !rest.contains("/"), !rest.contains("@") else {
            throw ObjectStoreError.configuration("endpoint '\(endpoint)' must be scheme://host[:port] without a path")
        }
        if let colon = rest.lastIndex(of: ":"), !rest.hasSuffix("]") {
            guard let port = Int(rest[rest.index(after: colon)...]), (1...65_535).contains(port) else {
                throw ObjectStoreError.configuration("endpoint '\(endpoint)' has an invalid port")
            }
            return (scheme, String(rest[..<colon]), port)
        }
        return (scheme, String(rest), nil)
    }
}
