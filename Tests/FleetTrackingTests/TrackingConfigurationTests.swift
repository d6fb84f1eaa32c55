import Configuration
import FleetObjectStore
import FleetService
import Testing

@testable import FleetTracking

@Suite("fleet-tracking configuration")
struct TrackingConfigurationTests {
    func read(_ environment: [String: String]) throws -> TrackingConfiguration {
        try TrackingConfiguration(reader: ConfigReader(provider: EnvironmentVariablesProvider(environmentVariables: environment)))
    }

    @Test("Defaults match docs/configuration.md")
    func defaults() throws {
        let configuration = try read([:])
        #expect(configuration == TrackingConfiguration())
        #expect(configuration.schema == "tracking")
        #expect(configuration.unknownVehicles == .autoRegister)
        #expect(configuration.retentionDays == 30)
        #expect(abs(configuration.defaultSpeedLimitMetersPerSecond - 30) < 1e-9)
    }

    @Test("Every documented variable is read")
    func variables() throws {
        let configuration = try read([
            "FLEET_TRACKING_SCHEMA": "tracking_eu", "FLEET_TRACKING_UNKNOWN_VEHICLES": "reject", "FLEET_TRACKING_RETENTION_DAYS": "7",
            "FLEET_TRACKING_MAX_FUTURE_SKEW_SECONDS": "60", "FLEET_TRACKING_BATCH_SIZE": "500", "FLEET_TRACKING_BATCH_DELAY_MILLIS": "20",
            "FLEET_TRACKING_WRITERS": "2", "FLEET_TRACKING_CONSUMER_BUFFER": "5000", "FLEET_TRACKING_SHARE_GROUP": "eu",
            "FLEET_TRACKING_COMMIT_INTERVAL_MILLIS": "100", "FLEET_TRACKING_GAP_TIMEOUT_SECONDS": "5",
            "FLEET_TRACKING_DEFAULT_SPEED_LIMIT_KMH": "72", "FLEET_TRACKING_MAX_HTTP_BATCH_ITEMS": "10",
            "FLEET_TRACKING_LIVE_INTERVAL_MILLIS": "250", "FLEET_TRACKING_MAX_MERGED_BATCH_ROWS": "2000",
            "FLEET_TRACKING_SUMMARY_MAX_AGE_MILLIS": "250",
        ])
        #expect(configuration.schema == "tracking_eu")
        #expect(configuration.unknownVehicles == .reject)
        #expect(configuration.retentionDays == 7)
        #expect(configuration.maxFutureSkewSeconds == 60)
        #expect(configuration.batchSize == 500)
        #expect(configuration.batchDelayMillis == 20)
        #expect(configuration.maxMergedBatchRows == 2000)
        #expect(configuration.writers == 2)
        #expect(configuration.consumerBuffer == 5000)
        #expect(configuration.shareGroup == "eu")
        #expect(configuration.commitIntervalMillis == 100)
        #expect(configuration.gapTimeoutSeconds == 5)
        #expect(abs(configuration.defaultSpeedLimitMetersPerSecond - 20) < 1e-9)
        #expect(configuration.maxHTTPBatchItems == 10)
        #expect(configuration.liveIntervalMillis == 250)
        #expect(configuration.summaryMaxAgeMillis == 250)
    }

    @Test("Malformed values stop start-up naming the variable", arguments: [
        ("FLEET_TRACKING_SCHEMA", "Tracking-1"), ("FLEET_TRACKING_UNKNOWN_VEHICLES", "maybe"), ("FLEET_TRACKING_BATCH_SIZE", "0"),
        ("FLEET_TRACKING_WRITERS", "many"), ("FLEET_TRACKING_MAX_MERGED_BATCH_ROWS", "999"),  // below the batch size
    ])
    func malformed(variable: String, value: String) {
        #expect(throws: ConfigurationError.self) { try read([variable: value]) }
    }
}

@Suite("fleet-tracking archive and report configuration")
struct ArchiveConfigurationTests {
    func read(_ environment: [String: String]) throws -> TrackingConfiguration {
        try TrackingConfiguration(reader: ConfigReader(provider: EnvironmentVariablesProvider(environmentVariables: environment)))
    }

    @Test("Off by default; every documented variable is read; AWS_* credentials are the fallback")
    func variables() throws {
        #expect(try read([:]).archive.store == nil)
        #expect(try read([:]).reports == ReportConfiguration())
        let configuration = try read([
            "FLEET_ARCHIVE_S3_ENDPOINT": "https://s3.eu-west-1.amazonaws.com", "FLEET_ARCHIVE_S3_BUCKET": "fleet-archive-prod",
            "FLEET_ARCHIVE_S3_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "secret",
            "FLEET_ARCHIVE_S3_SESSION_TOKEN": "tok", "FLEET_ARCHIVE_S3_PATH_STYLE": "false", "FLEET_ARCHIVE_PREFIX": "eu/fleet",
            "FLEET_ARCHIVE_PART_ROWS": "5000", "FLEET_ARCHIVE_RESTORE_DAYS": "3", "FLEET_ARCHIVE_VERIFY_DOWNLOAD": "false",
            "FLEET_ARCHIVE_CREATE_BUCKET": "true",
            "FLEET_REPORTS_ALERTING_URL": "http://alerting:8083/", "FLEET_REPORTS_CONTROL_URL": "http://control:8082",
            "FLEET_REPORTS_HEALTH_URL": "http://health:8084", "FLEET_REPORTS_ROUTING_URL": "https://routing",
            "FLEET_REPORTS_TOKEN": "fleet_x", "FLEET_REPORTS_WEEKLY": "true", "FLEET_REPORTS_WEEKLY_TAGS": "north, vans",
            "FLEET_REPORTS_OFFLINE_GAP_SECONDS": "600", "FLEET_REPORTS_MIN_STOP_SECONDS": "60", "FLEET_REPORTS_RECORD_LIMIT": "1000",
        ])
        let store = try #require(configuration.archive.store)
        #expect(store.endpoint == "https://s3.eu-west-1.amazonaws.com" && store.bucket == "fleet-archive-prod" && store.region == "eu-west-1")
        #expect(store.accessKeyID == "AKID" && store.secretAccessKey == "secret" && store.sessionToken == "tok" && !store.pathStyle)
        #expect(configuration.archive.prefix == "eu/fleet" && configuration.archive.partRows == 5000)
        #expect(configuration.archive.restoreDays == 3 && !configuration.archive.verifyDownload && configuration.archive.createBucket)
        let reports = configuration.reports
        #expect(reports.alertingURL == "http://alerting:8083" && reports.controlURL == "http://control:8082")
        #expect(reports.healthURL == "http://health:8084" && reports.routingURL == "https://routing" && reports.token == "fleet_x")
        #expect(reports.weekly && reports.weeklyTags == ["north", "vans"])
        #expect(reports.offlineGapSeconds == 600 && reports.minStopSeconds == 60 && reports.recordLimit == 1000)
    }

    @Test("Without static keys, the pod's web identity role (EKS IRSA) signs: AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE, the regional STS")
    func webIdentity() throws {
        let base = [
            "FLEET_ARCHIVE_S3_ENDPOINT": "https://s3.eu-west-1.amazonaws.com", "FLEET_ARCHIVE_S3_BUCKET": "b", "FLEET_ARCHIVE_S3_REGION": "eu-west-1",
            "AWS_ROLE_ARN": "arn:aws:iam::1:role/fleet-tracking", "AWS_WEB_IDENTITY_TOKEN_FILE": "/var/run/secrets/eks.amazonaws.com/serviceaccount/token",
        ]
        let identity = try #require(try read(base).archive.store?.webIdentity)
        #expect(identity.roleARN == "arn:aws:iam::1:role/fleet-tracking")
        #expect(identity.tokenFile == "/var/run/secrets/eks.amazonaws.com/serviceaccount/token")
        #expect(identity.stsEndpoint == "https://sts.eu-west-1.amazonaws.com")
        #expect(try read(base.merging(["AWS_ENDPOINT_URL_STS": "http://127.0.0.1:4566"]) { $1 }).archive.store?.webIdentity?.stsEndpoint == "http://127.0.0.1:4566")
        // Static keys win.
        #expect(try read(base.merging(["AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "s"]) { $1 }).archive.store?.webIdentity == nil)
    }

    @Test("Malformed archive and report settings stop start-up", arguments: [
        ["FLEET_ARCHIVE_S3_ENDPOINT": "http://x"],  // no bucket
        ["FLEET_ARCHIVE_S3_ENDPOINT": "http://x", "FLEET_ARCHIVE_S3_BUCKET": "b"],  // no credentials
        ["FLEET_ARCHIVE_S3_ENDPOINT": "ftp://x", "FLEET_ARCHIVE_S3_BUCKET": "b", "AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "s"],
        ["FLEET_ARCHIVE_S3_ENDPOINT": "http://x", "FLEET_ARCHIVE_S3_BUCKET": "b", "AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "s",
         "FLEET_ARCHIVE_PREFIX": "/abs"],
        ["FLEET_ARCHIVE_S3_ENDPOINT": "http://x", "FLEET_ARCHIVE_S3_BUCKET": "b", "AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "s",
         "FLEET_ARCHIVE_PART_ROWS": "0"],
        ["FLEET_REPORTS_ALERTING_URL": "alerting:8083"], ["FLEET_REPORTS_WEEKLY": "sometimes"], ["FLEET_REPORTS_OFFLINE_GAP_SECONDS": "1"],
    ])
    func malformed(environment: [String: String]) {
        #expect(throws: ConfigurationError.self) { try read(environment) }
    }
}
