import Configuration
import FleetService
import FleetTestSupport
import Foundation
import PostgresNIO
import Testing

@testable import FleetAlerting

@Suite("fleet-alerting delivery retention configuration")
struct DeliveryRetentionConfigurationTests {
    func read(_ environment: [String: String]) throws -> AlertingConfiguration {
        try AlertingConfiguration(reader: ConfigReader(provider: EnvironmentVariablesProvider(environmentVariables: environment)))
    }

    @Test("Defaults match docs/configuration.md (delivered 7 days, dead 30 days); both variables are read as hours")
    func values() throws {
        let defaults = try read([:])
        #expect(defaults.deliveredRetention == .seconds(168 * 3_600))
        #expect(defaults.deadRetention == .seconds(720 * 3_600))
        let configured = try read(["FLEET_ALERTING_DELIVERED_RETENTION_HOURS": "24", "FLEET_ALERTING_DEAD_RETENTION_HOURS": "1"])
        #expect(configured.deliveredRetention == .seconds(24 * 3_600))
        #expect(configured.deadRetention == .seconds(3_600))
    }

    @Test(
        "Zero, negative and malformed retentions stop start-up naming the variable",
        arguments: [
            ("FLEET_ALERTING_DELIVERED_RETENTION_HOURS", "0"), ("FLEET_ALERTING_DELIVERED_RETENTION_HOURS", "-1"),
            ("FLEET_ALERTING_DELIVERED_RETENTION_HOURS", "a week"), ("FLEET_ALERTING_DEAD_RETENTION_HOURS", "0"),
            ("FLEET_ALERTING_DEAD_RETENTION_HOURS", "-720"), ("FLEET_ALERTING_DEAD_RETENTION_HOURS", "87601"),
        ])
    func refused(variable: String, value: String) {
        let error = #expect(throws: ConfigurationError.self) { try read([variable: value]) }
        #expect(error?.environmentVariable == variable)
        #expect(error?.description.contains(variable) == true)
        #expect(error?.description.contains(value) == true, "the message shows the refused value: \(String(describing: error))")
    }
}

@Suite(
    "fleet-alerting delivery retention (PostgreSQL)", .serialized,
    .enabled(if: TestPostgres.isConfigured, "FLEET_POSTGRES_HOST is not set"), .timeLimit(.minutes(2)))
struct DeliveryRetentionTests {
    /// One delivery row: its status, when it was queued and last attempted (hours ago), and whether it survives
    /// retentions of 1 h (delivered) and 3 h (dead).
    struct Row: Sendable {
        var id: String
        var status: String
        var createdHoursAgo: Double
        var lastAttemptHoursAgo: Double?
        var kept: Bool
    }

    static let rows: [Row] = [
        // The outbox itself: never purged, however old.
        Row(id: "pending-old", status: "pending", createdHoursAgo: 50, lastAttemptHoursAgo: 50, kept: true),
        Row(id: "pending-never-tried", status: "pending", createdHoursAgo: 50, lastAttemptHoursAgo: nil, kept: true),
        Row(id: "delivering-old", status: "delivering", createdHoursAgo: 50, lastAttemptHoursAgo: 50, kept: true),
        // Delivered, kept 1 h after the last attempt (the creation when there was none).
        Row(id: "delivered-old-1", status: "delivered", createdHoursAgo: 10, lastAttemptHoursAgo: 2, kept: false),
        Row(id: "delivered-old-2", status: "delivered", createdHoursAgo: 5, lastAttemptHoursAgo: 1.5, kept: false),
        Row(id: "delivered-old-3", status: "delivered", createdHoursAgo: 30, lastAttemptHoursAgo: 20, kept: false),
        Row(id: "delivered-never-tried", status: "delivered", createdHoursAgo: 2, lastAttemptHoursAgo: nil, kept: false),
        Row(id: "delivered-recent", status: "delivered", createdHoursAgo: 0.5, lastAttemptHoursAgo: 0.5, kept: true),
        Row(id: "delivered-retried-lately", status: "delivered", createdHoursAgo: 30, lastAttemptHoursAgo: 0.5, kept: true),
        // Dead letters, kept 3 h: one older than the delivered retention stays.
        Row(id: "dead-old-1", status: "dead", createdHoursAgo: 30, lastAttemptHoursAgo: 4, kept: false),
        Row(id: "dead-old-2", status: "dead", createdHoursAgo: 40, lastAttemptHoursAgo: 10, kept: false),
        Row(id: "dead-old-3", status: "dead", createdHoursAgo: 100, lastAttemptHoursAgo: 99, kept: false),
        Row(id: "dead-within-its-retention", status: "dead", createdHoursAgo: 30, lastAttemptHoursAgo: 2, kept: true),
        Row(id: "dead-recent", status: "dead", createdHoursAgo: 1, lastAttemptHoursAgo: 0.1, kept: true),
    ]
    static let kept = rows.filter(\.kept).map(\.id).sorted()
    static let metric = "fleet_alerting_deliveries_purged_total"

    @Test("Only delivered and dead rows past their own retention go, a bounded chunk per statement; each chunk is counted")
    func purgeInChunks() async throws {
        // Before the metrics are made, so they reach this registry.
        let registry = FleetMetrics.bootstrap()
        try await TestPostgres.withSchema { client, schema in
            try await MigrationRunner(client: client, schema: schema, migrations: try AlertingComponents.schemaMigrations(), logger: silentLogger)
                .migrate()
            try await Self.insertRows(client, schema)
            let webhooks = PostgresWebhookRepository(client: client, schema: schema, logger: silentLogger)
            let metrics = AlertingMetrics()
            let before = MetricsProbe(registry)

            // Two rows per statement, one statement per status and call: the rest is left for the next sweep.
            var retention = DeliveryRetention(delivered: .seconds(3_600), dead: .seconds(3 * 3_600), chunk: 2, maxChunks: 1)
            let first = try await retention.purge(webhooks, metrics: metrics)
            #expect(first[.delivered] == 2 && first[.dead] == 2)
            // Full chunks go on until one comes back short.
            retention.maxChunks = 10
            let second = try await retention.purge(webhooks, metrics: metrics)
            #expect(second[.delivered] == 2 && second[.dead] == 1)
            let third = try await retention.purge(webhooks, metrics: metrics)
            #expect(third[.delivered] == 0 && third[.dead] == 0)
            #expect(try await Self.remaining(client, schema) == Self.kept)

            // The counters are process-wide (the sweep test beside this one purges too): at least these rows.
            let after = MetricsProbe(registry)
            #expect(after.value(Self.metric, ["status": "delivered"]) - before.value(Self.metric, ["status": "delivered"]) >= 4)
            #expect(after.value(Self.metric, ["status": "dead"]) - before.value(Self.metric, ["status": "dead"]) >= 3)
        }
    }

    @Test("A dead letter replayed before the purge is pending again and stays")
    func replayedStays() async throws {
        try await TestPostgres.withSchema { client, schema in
            try await MigrationRunner(client: client, schema: schema, migrations: try AlertingComponents.schemaMigrations(), logger: silentLogger)
                .migrate()
            try await Self.insertRows(client, schema)
            let webhooks = PostgresWebhookRepository(client: client, schema: schema, logger: silentLogger)
            #expect(try await webhooks.replay(webhookID: "wh_retention", ids: ["dead-old-1"]) == 1)
            let deleted = try await webhooks.purgeEnded(.dead, olderThan: .seconds(3 * 3_600), limit: 100)
            #expect(deleted == 2)
            let remaining = try await Self.remaining(client, schema)
            #expect(remaining.contains("dead-old-1"))
            #expect(!remaining.contains("dead-old-2") && !remaining.contains("dead-old-3"))
            #expect(remaining.filter { $0.hasPrefix("delivered") }.count == 6, "a dead-letter purge leaves delivered rows alone")
        }
    }

    @Test("The service's sweep purges by the configured retentions and counts what it deleted")
    func sweepPurges() async throws {
        let registry = FleetMetrics.bootstrap()
        let broker = try TestBroker()
        defer { broker.stop() }
        try await TestPostgres.withSchema { client, schema in
            var harness = AlertingHarness(schema: schema, broker: broker)
            harness.set("fleet.alerting.deliveredRetentionHours", 1)
            harness.set("fleet.alerting.deadRetentionHours", 3)
            try await harness.run { _ in
                let before = MetricsProbe(registry)
                // The webhook is disabled, so the dispatcher leaves its pending and delivering rows where they are.
                try await Self.insertRows(client, schema)
                try await eventually("the sweep deleted the old delivered and dead rows") {
                    try await Self.remaining(client, schema) == Self.kept
                }
                // The rows go when a chunk commits; the counter moves just after.
                try await eventually("the purges counted") {
                    let after = MetricsProbe(registry)
                    return after.value(Self.metric, ["status": "delivered"]) - before.value(Self.metric, ["status": "delivered"]) >= 4
                        && after.value(Self.metric, ["status": "dead"]) - before.value(Self.metric, ["status": "dead"]) >= 3
                }
            }
        }
    }

    /// A disabled webhook `wh_retention` and ``rows`` as its deliveries, with their ages.
    static func insertRows(_ client: PostgresClient, _ schema: String) async throws {
        try await client.query(
            """
            INSERT INTO \(unescaped: schema).webhooks (id, url, secret, enabled)
            VALUES ('wh_retention', 'http://127.0.0.1:9/hook', 'retention-test-secret', false)
            """, logger: silentLogger)
        for row in rows {
            let created = row.createdHoursAgo * 3_600
            let lastAttempt = row.lastAttemptHoursAgo.map { $0 * 3_600 }
            try await client.query(
                """
                INSERT INTO \(unescaped: schema).deliveries (id, webhook_id, event_type, payload, status, created_at, last_attempt_at)
                VALUES (\(row.id), 'wh_retention', 'alert.firing', '{}', \(row.status),
                        now() - make_interval(secs => \(created)), now() - make_interval(secs => \(lastAttempt)))
                """, logger: silentLogger)
        }
    }

    /// The ids of the deliveries left, sorted.
    static func remaining(_ client: PostgresClient, _ schema: String) async throws -> [String] {
        let rows = try await client.query("SELECT id FROM \(unescaped: schema).deliveries ORDER BY id", logger: silentLogger)
        var ids: [String] = []
        for try await id in rows.decode(String.self) { ids.append(id) }
        return ids.sorted()
    }
}
