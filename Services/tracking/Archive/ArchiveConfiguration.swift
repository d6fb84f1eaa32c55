import Configuration
import FleetObjectStore
import FleetService

/// The cold archive's settings, from `FLEET_ARCHIVE_*` (docs/configuration.md). Without an endpoint there is no archive:
/// expired partitions are dropped unarchived, as before, and the service logs that it does so.
struct ArchiveConfiguration: Sendable, Equatable {
    /// The bucket and how to reach it; nil when archiving is off.
    var store: S3Configuration?
    /// Key prefix of everything the service writes (`<prefix>/telemetry/day=…`, `<prefix>/reports/…`).
    var prefix = "fleet"
    /// Rows per archive object (at a vehicle boundary; one vehicle's day is never split).
    var partRows = 250_000
    /// How long a restored day stays in the hot store before it is dropped again.
    var restoreDays = 7
    /// Create the bucket at start-up when it is missing (local stacks and tests; production buckets come from Terraform).
    var createBucket = false
    /// Whether every archived object is downloaded and checked (SHA-256, row count) before its partition is dropped;
    /// otherwise only sizes are compared.
    var verifyDownload = true

    init() {}

    init(reader: ConfigReader) throws {
        guard let endpoint = reader.fleetOptionalString("fleet.archive.s3.endpoint") else { return }
        guard let bucket = reader.fleetOptionalString("fleet.archive.s3.bucket") else {
            throw ConfigurationError(key: "fleet.archive.s3.bucket", reason: "is required when FLEET_ARCHIVE_S3_ENDPOINT is set")
        }
        let accessKey = reader.fleetOptionalString("fleet.archive.s3.accessKeyId", isSecret: true)
            ?? reader.fleetOptionalString("aws.access.key.id", isSecret: true)
        let secretKey = reader.fleetOptionalString("fleet.archive.s3.secretAccessKey", isSecret: true)
            ?? reader.fleetOptionalString("aws.secret.access.key", isSecret: true)
        let region = try reader.fleetString("fleet.archive.s3.region", default: "us-east-1")
        // Static keys win; without them, the role of the pod's service account (EKS IRSA sets both variables).
        var webIdentity: WebIdentity?
        if accessKey == nil || secretKey == nil, let role = reader.fleetOptionalString("aws.role.arn"),
            let tokenFile = reader.fleetOptionalString("aws.web.identity.token.file")
        {
            webIdentity = WebIdentity(
                roleARN: role, tokenFile: tokenFile,
                stsEndpoint: reader.fleetOptionalString("aws.endpoint.url.sts") ?? "https://sts.\(region).amazonaws.com",
                sessionName: "fleet-tracking")
        }
        guard webIdentity != nil || (accessKey != nil && secretKey != nil) else {
            throw ConfigurationError(
                key: "fleet.archive.s3.accessKeyId",
                reason: "FLEET_ARCHIVE_S3_ACCESS_KEY_ID and FLEET_ARCHIVE_S3_SECRET_ACCESS_KEY (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE) are required")
        }
        let configuration = S3Configuration(
            endpoint: endpoint, region: region, bucket: bucket,
            accessKeyID: accessKey ?? "", secretAccessKey: secretKey ?? "",
            sessionToken: reader.fleetOptionalString("fleet.archive.s3.sessionToken", isSecret: true)
                ?? reader.fleetOptionalString("aws.session.token", isSecret: true),
            pathStyle: try Self.flag(reader, "fleet.archive.s3.pathStyle", default: true), webIdentity: webIdentity)
        do {
            try configuration.validate()
        } catch {
            throw ConfigurationError(key: "fleet.archive.s3.endpoint", reason: "\(error)")
        }
        store = configuration
        prefix = try reader.fleetString("fleet.archive.prefix", default: prefix)
        guard prefix.allSatisfy({ $0.isLetter || $0.isNumber || "-_/.".contains($0) }), !prefix.hasPrefix("/"), !prefix.hasSuffix("/")
        else {
            throw ConfigurationError(key: "fleet.archive.prefix", reason: "letters, digits, - _ . / only, no leading or trailing /")
        }
        partRows = try reader.fleetInt("fleet.archive.partRows", default: partRows, range: 1...5_000_000)
        restoreDays = try reader.fleetInt("fleet.archive.restoreDays", default: restoreDays, range: 1...365)
        createBucket = try Self.flag(reader, "fleet.archive.createBucket", default: false)
        verifyDownload = try Self.flag(reader, "fleet.archive.verifyDownload", default: true)
    }

    /// `true`/`false` (also `1`/`0`, `yes`/`no`), or the default when unset.
    private static func flag(_ reader: ConfigReader, _ key: String, default value: Bool) throws -> Bool {
        guard let raw = reader.fleetOptionalString(key)?.lowercased() else { return value }
        switch raw {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: throw ConfigurationError(key: key, reason: "\"\(raw)\" is not true or false")
        }
    }
}
