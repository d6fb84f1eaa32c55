import FleetCore
import FleetMQTT
import FleetTestSupport
import Foundation
import PostgresNIO
import ServiceLifecycle
import Synchronization
import Testing

@testable import FleetService

/// The kit's outbox against a real database and broker: what was committed is published at least once, whoever
/// crashed in between.
@Suite("Outbox relay", .enabled(if: TestPostgres.isConfigured))
struct OutboxRelayTests {
    /// The table as a service's migration creates it (tracking's migration is the reference).
    static func createTable(_ client: PostgresClient, schema: String) async throws {
        let file = OpenAPIDocument.repositoryRoot.appendingPathComponent("Services/tracking/Migrations/0003_event_outbox.sql")
        let migration = Migration(version: 1, name: "event_outbox", sql: try String(contentsOf: file, encoding: .utf8))
        try await MigrationRunner(client: client, schema: schema, migrations: [migration], logger: silentLogger).migrate()
    }

    static func messages(_ count: Int) throws -> [OutboxMessage] {
        try (1...count).map { n in
            try OutboxMessage(
                event: FleetEvent(
                    id: .random(), type: .lowBattery, severity: .warning, vehicleID: try VehicleID("relay-\(n)"), timeMillis: 1_700_000_000_000 + Int64(n)))
        }
    }

    @Test("Messages committed while no relay ran, and one claimed by a replica that died, are all published after the broker's PUBACK, then removed")
    func publishesWhatWasCommittedBeforeItRan() async throws {
        let broker = try TestBroker()
        defer { broker.stop() }
        try await TestPostgres.withSchema { client, schema in
            try await Self.createTable(client, schema: schema)
            let outbox = EventOutbox(schema: schema, logger: silentLogger)
            let sent = try Self.messages(3)
            try await outbox.enqueue(sent, client: client)
            // A replica that took the first message and died before the broker confirmed it.
            let stolen = try await outbox.claim(limit: 1, owner: "dead-replica", lease: .seconds(1), client: client)
            #expect(stolen.map(\.message) == [sent[0]])

            let received = Received()
            try await MQTTClient.withConnection(configuration: MQTTConfiguration(port: broker.port, clientID: "observer-\(schema)"), logger: silentLogger) { observer in
                let subscription = try await observer.subscribe(to: FleetTopics.allEvents, qos: .atLeastOnce)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { for await message in subscription { received.messages.withLock { $0.append(message) } } }
                    try await MQTTClient.withConnection(configuration: MQTTConfiguration(port: broker.port, clientID: "relay-\(schema)"), logger: silentLogger) { mqtt in
                        var settings = OutboxRelay.Settings()
                        settings.pollInterval = .milliseconds(100)
                        let relay = OutboxRelay(outbox: outbox, postgres: client, mqtt: mqtt, owner: "live-replica", settings: settings, logger: silentLogger)
                        let services = ServiceGroup(services: [relay], logger: silentLogger)
                        try await withThrowingTaskGroup(of: Void.self) { tasks in
                            tasks.addTask { try await services.run() }
                            try await eventually("every message published") { received.messages.withLock { $0.count } >= 3 }
                            try await eventually("the outbox is empty") { try await outbox.backlog(client: client).count == 0 }
                            await services.triggerGracefulShutdown()
                            try await tasks.waitForAll()
                        }
                    }
                    group.cancelAll()
                }
            }
            let ids = try received.messages.withLock { $0 }.map { try FleetCodec.decode(FleetEvent.self, from: $0.payload).id.rawValue }
            #expect(Set(ids) == Set(sent.map(\.id)), "every message, with its own id")
        }
    }

    @Test("A replica that restarts takes its own unconfirmed claims back at once instead of waiting for their lease")
    func restartReleasesOwnClaims() async throws {
        try await TestPostgres.withSchema { client, schema in
            try await Self.createTable(client, schema: schema)
            let outbox = EventOutbox(schema: schema, logger: silentLogger)
            try await outbox.enqueue(try Self.messages(2), client: client)
            #expect(try await outbox.claim(limit: 10, owner: "replica-a", lease: .seconds(600), client: client).count == 2)
            #expect(try await outbox.claim(limit: 10, owner: "replica-b", lease: .seconds(600), client: client).isEmpty, "claimed rows are skipped")
            try await outbox.releaseClaims(of: "replica-b", client: client)
            #expect(try await outbox.claim(limit: 10, owner: "replica-b", lease: .seconds(600), client: client).isEmpty, "another replica's claims stay")
            try await outbox.releaseClaims(of: "replica-a", client: client)
            let again = try await outbox.claim(limit: 10, owner: "replica-a", lease: .seconds(600), client: client)
            #expect(again.count == 2)
            #expect(again.map(\.seq) == again.map(\.seq).sorted(), "oldest first")
        }
    }

    /// Messages an observer received.
    final class Received: Sendable {
        let messages = Mutex<[MQTTMessage]>([])
    }

    @Test("Backoff doubles from the initial delay and stops at the maximum")
    func backoff() {
        let backoff = Backoff(initial: .milliseconds(100), maximum: .seconds(1))
        #expect((1...6).map { backoff.delay(afterAttempt: $0) } == [.milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .seconds(1), .seconds(1)])
    }
}
