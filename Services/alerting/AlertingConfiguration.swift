import Configuration
import FleetService
import Foundation

/// Settings of `fleet-alerting` beyond the common ``FleetConfiguration`` (documented in docs/configuration.md).
struct AlertingConfiguration: Sendable {
    /// PostgreSQL schema owned by the service (`FLEET_ALERTING_SCHEMA`, default `alerting`).
    var schema: String = "alerting"
    /// Path of the JSON rules file (`FLEET_ALERTING_RULES_FILE`), optional.
    var rulesFile: String?
    /// MQTT shared-subscription group (`FLEET_ALERTING_SHARE_GROUP`, default `alerting`).
    var shareGroup: String = "alerting"
    /// Destinations allowed even though they are private, loopback or link-local (`FLEET_ALERTING_WEBHOOK_ALLOW_CIDRS`).
    var allowedCIDRs: [IPRange] = []
    /// How long a delivery is retried before it becomes a dead letter (`FLEET_ALERTING_RETRY_MAX_AGE_SECONDS`, 24 h).
    var retryMaxAge: Duration = .seconds(86_400)
    /// Attempts before a delivery becomes a dead letter (`FLEET_ALERTING_RETRY_MAX_ATTEMPTS`, default 0 = unlimited within the age).
    var retryMaxAttempts: Int = 0
    /// First retry delay; doubles per attempt (`FLEET_ALERTING_RETRY_BASE_MS`, 1000).
    var retryBase: Duration = .seconds(1)
    /// Longest delay between two attempts (`FLEET_ALERTING_RETRY_MAX_DELAY_SECONDS`, 3600).
    var retryMaxDelay: Duration = .seconds(3_600)
    /// Timeout of one delivery request (`FLEET_ALERTING_WEBHOOK_TIMEOUT_MS`, 10000).
    var requestTimeout: Duration = .seconds(10)
    /// Largest response body read from a receiver (`FLEET_ALERTING_WEBHOOK_MAX_RESPONSE_BYTES`, 65536).
    var maxResponseBytes: Int = 65_536
    /// Most deliveries one claim statement leases; never more than the free request slots (`FLEET_ALERTING_DISPATCH_BATCH`, 100).
    var dispatchBatch: Int = 100
    /// Requests in flight per dispatcher, refilled as they finish (`FLEET_ALERTING_DISPATCH_CONCURRENCY`, 32).
    var dispatchConcurrency: Int = 32
    /// How often the dispatcher polls when not woken (`FLEET_ALERTING_DISPATCH_POLL_MS`, 500).
    var pollInterval: Duration = .milliseconds(500)
    /// How long a claimed delivery is leased before another replica may retry it (`FLEET_ALERTING_LEASE_SECONDS`, 60).
    var lease: Duration = .seconds(60)
    /// Consecutive failures that open an endpoint's circuit (`FLEET_ALERTING_BREAKER_FAILURES`, 5).
    var breakerFailures: Int = 5
    /// How long an open circuit waits before a probe (`FLEET_ALERTING_BREAKER_COOLDOWN_MS`, 5000).
    var breakerCooldown: Duration = .seconds(5)
    /// How often escalations are checked and rules reloaded (`FLEET_ALERTING_SWEEP_MS`, 1000).
    var sweepInterval: Duration = .seconds(1)
    /// How long a delivered message is kept after its last attempt before the sweep deletes it
    /// (`FLEET_ALERTING_DELIVERED_RETENTION_HOURS`, 168 = 7 days; at least 1).
    var deliveredRetention: Duration = .seconds(168 * 3_600)
    /// How long a dead letter is kept after its last attempt before the sweep deletes it, longer than delivered ones
    /// because operators inspect and replay them (`FLEET_ALERTING_DEAD_RETENTION_HOURS`, 720 = 30 days; at least 1).
    var deadRetention: Duration = .seconds(720 * 3_600)

    init() {}

    /// Reads every `fleet.alerting.*` key.
    init(reader: ConfigReader) throws {
        schema = try reader.fleetString("fleet.alerting.schema", default: schema)
        guard MigrationRunner.isValidSchemaName(schema) else {
            throw ConfigurationError(key: "fleet.alerting.schema", reason: "must match [a-z_][a-z0-9_]{0,62}")
        }
        rulesFile = reader.fleetOptionalString("fleet.alerting.rulesFile")
        shareGroup = try reader.fleetString("fleet.alerting.shareGroup", default: shareGroup)
        if let cidrs = reader.fleetOptionalString("fleet.alerting.webhookAllowCidrs") {
            allowedCIDRs = try cidrs.split(separator: ",").map { text in
                let trimmed = text.trimmingCharacters(in: .whitespaces)
                guard let range = IPRange(cidr: trimmed) else {
                    throw ConfigurationError(key: "fleet.alerting.webhookAllowCidrs", reason: "\"\(trimmed)\" is not a CIDR range")
                }
                return range
            }
        }
        retryMaxAge = .seconds(try reader.fleetInt("fleet.alerting.retryMaxAgeSeconds", default: 86_400, range: 1...(30 * 86_400)))
        retryMaxAttempts = try reader.fleetInt("fleet.alerting.retryMaxAttempts", default: 0, range: 0...10_000)
        retryBase = .milliseconds(try reader.fleetInt("fleet.alerting.retryBaseMs", default: 1_000, range: 1...3_600_000))
        retryMaxDelay = .seconds(try reader.fleetInt("fleet.alerting.retryMaxDelaySeconds", default: 3_600, range: 1...86_400))
        requestTimeout = .milliseconds(try reader.fleetInt("fleet.alerting.webhookTimeoutMs", default: 10_000, range: 100...120_000))
        maxResponseBytes = try reader.fleetInt("fleet.alerting.webhookMaxResponseBytes", default: 65_536, range: 0...(16 << 20))
        dispatchBatch = try reader.fleetInt("fleet.alerting.dispatchBatch", default: 100, range: 1...10_000)
        dispatchConcurrency = try reader.fleetInt("fleet.alerting.dispatchConcurrency", default: 32, range: 1...1_024)
        pollInterval = .milliseconds(try reader.fleetInt("fleet.alerting.dispatchPollMs", default: 500, range: 10...60_000))
        lease = .seconds(try reader.fleetInt("fleet.alerting.leaseSeconds", default: 60, range: 5...3_600))
        breakerFailures = try reader.fleetInt("fleet.alerting.breakerFailures", default: 5, range: 1...1_000)
        breakerCooldown = .milliseconds(try reader.fleetInt("fleet.alerting.breakerCooldownMs", default: 5_000, range: 10...3_600_000))
        sweepInterval = .milliseconds(try reader.fleetInt("fleet.alerting.sweepMs", default: 1_000, range: 10...60_000))
        // Hours, up to ten years; 0 is refused rather than read as "delete at once" or "keep forever".
        deliveredRetention = .seconds(try reader.fleetInt("fleet.alerting.deliveredRetentionHours", default: 168, range: 1...87_600) * 3_600)
        deadRetention = .seconds(try reader.fleetInt("fleet.alerting.deadRetentionHours", default: 720, range: 1...87_600) * 3_600)
    }
}
