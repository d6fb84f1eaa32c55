import Configuration
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
    }

    @Test("Malformed values stop start-up naming the variable", arguments: [
        ("FLEET_TRACKING_SCHEMA", "Tracking-1"), ("FLEET_TRACKING_UNKNOWN_VEHICLES", "maybe"), ("FLEET_TRACKING_BATCH_SIZE", "0"),
        ("FLEET_TRACKING_WRITERS", "many"), ("FLEET_TRACKING_MAX_MERGED_BATCH_ROWS", "999"),  // below the batch size
    ])
    func malformed(variable: String, value: String) {
        #expect(throws: ConfigurationError.self) { try read([variable: value]) }
    }
}
