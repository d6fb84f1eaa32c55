import Configuration
import FleetCore
import FleetService
import FleetTestSupport
import Foundation
import PostgresNIO
import Testing

@testable import FleetControl

@Suite("fleet-control command history retention configuration")
struct CommandRetentionConfigurationTests {
    func read(_ environment: [String: String]) throws -> ControlConfiguration {
        try ControlConfiguration(reader: ConfigReader(provider: EnvironmentVariablesProvider(environmentVariables: environment)))
    }

    @Test("30 days by default (docs/configuration.md); FLEET_CONTROL_COMMAND_HISTORY_RETENTION_HOURS is read")
    func values() throws {
        #expect(try read([:]).commandHistoryRetentionHours == 720)
        #expect(try read(["FLEET_CONTROL_COMMAND_HISTORY_RETENTION_HOURS": "24"]).commandHistoryRetentionHours == 24)
    }

    @Test("Zero, negative and malformed retentions stop start-up naming the variable", arguments: ["0", "-1", "-720", "forever", "87601"])
    func refused(value: String) {
        let variable = "FLEET_CONTROL_COMMAND_HISTORY_RETENTION_HOURS"
        let error = #expect(throws: ConfigurationError.self) { try read([variable: value]) }
        #expect(error?.environmentVariable == variable)
        #expect(error?.description.contains(variable) == true)
        #expect(error?.description.contains(value) == true, "the message shows the refused value: \(String(describing: error))")
    }
}

@Suite(
    "fleet-control command history retention (PostgreSQL)", .serialized,
    .enabled(if: TestPostgres.isConfigured, "FLEET_POSTGRES_HOST is not set"), .timeLimit(.minutes(2)))
struct CommandRetentionTests {
    /// One command per status, named `<status>-old` (unchanged for 3 hours) and `<status>-recent` (the names are
    /// their vehicles); a retention of 1 hour purges the old finished ones only.
    static let statuses: [CommandStatus] = [.pending, .sent, .acknowledged, .rejected, .completed, .failed, .expired]
    static let names = statuses.flatMap { ["\($0.rawValue)-old", "\($0.rawValue)-recent"] }
    static let purged = ["rejected-old", "completed-old", "failed-old", "expired-old"]
    static let kept = names.filter { !purged.contains($0) }.sorted()

    @Test("Finished commands unchanged past the retention go with their transitions, a bounded chunk per statement; open and recent ones stay; counted")
    func purgeInChunks() async throws {
        // Before the metrics are made, so they reach this registry.
        let registry = FleetMetrics.bootstrap()
        try await TestPostgres.withSchema { client, schema in
            let repository = try await CommandRepositoryTests.repository(client, schema)
            let ids = try await Self.populate(repository, client, schema)
            let purgedIDs = Self.purged.compactMap { ids[$0] }
            let keptIDs = Self.kept.compactMap { ids[$0] }
            #expect(purgedIDs.count == 4 && keptIDs.count == 10)
            // rejected: pending, rejected; completed and failed: pending, sent, acknowledged, the end; expired: pending, expired.
            #expect(try await Self.transitions(of: purgedIDs, client, schema) == 12)
            let keptTransitions = try await Self.transitions(of: keptIDs, client, schema)
            let before = MetricsProbe(registry)

            // Three commands per statement, one statement per call: the rest is left for the next pass.
            var retention = CommandHistoryRetention(commands: repository, retentionHours: 1, metrics: ControlMetrics())
            retention.chunk = 3
            retention.maxChunks = 1
            let first = try await retention.purge()
            #expect(first.purged == 3 && first.more)
            // Full chunks go on until one comes back short.
            retention.maxChunks = 10
            let second = try await retention.purge()
            #expect(second.purged == 1 && !second.more)
            let third = try await retention.purge()
            #expect(third.purged == 0 && !third.more)

            #expect(try await Self.remainingVehicles(client, schema) == Self.kept)
            #expect(try await Self.transitions(of: purgedIDs, client, schema) == 0, "the purged commands' transitions went with them")
            #expect(try await Self.transitions(of: keptIDs, client, schema) == keptTransitions)
            for id in purgedIDs { #expect(try await repository.command(id) == nil) }
            let acknowledged = try #require(ids["acknowledged-old"])
            #expect(try await repository.command(acknowledged)?.status == .acknowledged, "old but not finished")

            // The counter is process-wide: at least these commands.
            let after = MetricsProbe(registry)
            #expect(Self.purgedTotal(after) - Self.purgedTotal(before) >= 4)
        }
    }

    @Test("The delivery scanner purges by the configured retention from its first pass")
    func scannerPurges() async throws {
        let broker = try TestBroker()
        defer { broker.stop() }
        try await TestPostgres.withSchema { client, schema in
            let repository = try await CommandRepositoryTests.repository(client, schema)
            let ids = try await Self.populate(repository, client, schema)
            try await ControlTest.withApp(broker: broker, schema: schema, overrides: ["fleet.control.commandHistoryRetentionHours": 1]) { _ in
                try await eventually("the scanner deleted the old finished commands") {
                    try await Self.remainingVehicles(client, schema) == Self.kept
                }
            }
            #expect(try await Self.transitions(of: Self.purged.compactMap { ids[$0] }, client, schema) == 0)
        }
    }

    /// Stores ``names`` through the repository and moves each to its status; the `-old` ones are then made 3 hours
    /// old. Nothing is due for a resend or expiry while a test runs. Returns the command ids by name.
    static func populate(_ repository: PostgresCommandRepository, _ client: PostgresClient, _ schema: String) async throws -> [String: String] {
        let now = Date()
        let later = now.addingTimeInterval(3_600)
        let expiring = names.filter { $0.hasPrefix("expired-") }
        let lasting = names.filter { !$0.hasPrefix("expired-") }
        var ids: [String: String] = [:]
        for (vehicles, expiresAt) in [(lasting, later), (expiring, now.addingTimeInterval(-1))] {
            let new = NewCommands(
                ids: vehicles.map { _ in MessageID.random().rawValue }, vehicleIDs: vehicles, action: .pause, reason: "retention test",
                createdAt: now, expiresAt: expiresAt, batchID: nil, createdBy: "tok_test", firstResendAt: later)
            guard case .created = try await repository.create(new, idempotency: nil, audit: CommandRepositoryTests.audit, render: { _ in (202, "") })
            else {
                Issue.record("the test commands were not created")
                return [:]
            }
            for (vehicle, id) in zip(vehicles, new.ids) { ids[vehicle] = id }
        }
        /// Moves the commands of `statuses` (old and recent) to `status`, all in one batch.
        func move(_ statuses: [CommandStatus], to status: CommandStatus) async throws {
            let requests = statuses.flatMap { ["\($0.rawValue)-old", "\($0.rawValue)-recent"] }.compactMap { name in
                ids[name].map { TransitionRequest(commandID: $0, vehicleID: nil, status: status, reason: nil) }
            }
            let outcomes = try await repository.transition(requests)
            #expect(outcomes.count == statuses.count * 2)
            for outcome in outcomes {
                guard case .applied = outcome else {
                    Issue.record("a test transition to \(status) was not applied: \(outcome)")
                    return
                }
            }
        }
        try await move([.sent, .acknowledged, .completed, .failed], to: .sent)
        try await move([.rejected], to: .rejected)
        try await move([.acknowledged, .completed, .failed], to: .acknowledged)
        try await move([.completed], to: .completed)
        try await move([.failed], to: .failed)
        let expired = try await repository.expireDue()
        #expect(Set(expired) == Set(expiring.compactMap { ids[$0] }))
        try await client.query(
            "UPDATE \(unescaped: schema).commands SET updated_at = now() - interval '3 hours' WHERE vehicle_id LIKE '%-old'", logger: silentLogger)
        return ids
    }

    /// The vehicles (names) of the commands left, sorted.
    static func remainingVehicles(_ client: PostgresClient, _ schema: String) async throws -> [String] {
        let rows = try await client.query("SELECT vehicle_id FROM \(unescaped: schema).commands", logger: silentLogger)
        var vehicles: [String] = []
        for try await vehicle in rows.decode(String.self) { vehicles.append(vehicle) }
        return vehicles.sorted()
    }

    /// How many transitions the commands `ids` have.
    static func transitions(of ids: [String], _ client: PostgresClient, _ schema: String) async throws -> Int {
        let rows = try await client.query(
            "SELECT count(*) FROM \(unescaped: schema).command_transitions WHERE command_id = ANY(\(ids)::text[])", logger: silentLogger)
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }

    /// `fleet_control_commands_purged_total` in a snapshot (a label-less sample, which ``MetricsProbe/value(_:_:)``
    /// does not read).
    static func purgedTotal(_ probe: MetricsProbe) -> Double {
        let line = probe.text.split(separator: "\n").first { $0.hasPrefix("fleet_control_commands_purged_total ") }
        return line.flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0
    }
}
