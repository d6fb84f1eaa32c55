import FleetCore
import FleetService
import FleetTestSupport
import Foundation
import PostgresNIO
import Testing

@testable import FleetControl

/// ``PostgresCommandRepository``'s single-statement create and batched writes, against PostgreSQL.
@Suite("fleet-control command repository", .enabled(if: TestPostgres.isConfigured, "FLEET_POSTGRES_HOST is not set"), .timeLimit(.minutes(2)))
struct CommandRepositoryTests {
    @Test("Create stores commands, transitions, desired states, audit and idempotency key together; a replay stores nothing")
    func createAndReplay() async throws {
        try await TestPostgres.withSchema { client, schema in
            let repository = try await Self.repository(client, schema)
            let new = Self.pause(["veh-a", "veh-b"])
            let claim = IdempotencyClaim(tokenID: "tok_test", key: "key-1", fingerprint: "f1")
            let render: @Sendable ([CommandRecord]) throws -> (status: Int, body: String) = { records in (202, "\(records.count) commands") }

            guard case .created(let records, _, let body) = try await repository.create(new, idempotency: claim, audit: Self.audit, render: render) else {
                Issue.record("the first request was not created")
                return
            }
            #expect(records.map(\.vehicleID) == ["veh-a", "veh-b"])
            #expect(body == "2 commands")
            guard case .replayed(let status, let replayed) = try await repository.create(Self.pause(["veh-a", "veh-b"]), idempotency: claim, audit: Self.audit, render: render) else {
                Issue.record("the repeated request was not replayed")
                return
            }
            #expect(status == 202)
            #expect(replayed == "2 commands")
            let other = IdempotencyClaim(tokenID: "tok_test", key: "key-1", fingerprint: "f2")
            guard case .keyReused = try await repository.create(Self.pause(["veh-a"]), idempotency: other, audit: Self.audit, render: render) else {
                Issue.record("a different request with the same key was not refused")
                return
            }
            #expect(try await Self.count("commands", client, schema) == 2)
            #expect(try await Self.count("command_transitions", client, schema) == 2)
            #expect(try await Self.count("audit_log", client, schema) == 1)
            #expect(try await Self.count("desired_states", client, schema) == 2)

            // Without a key: stored as well, and the desired state's revision moves on.
            guard case .created = try await repository.create(Self.pause(["veh-a"]), idempotency: nil, audit: Self.audit, render: render) else {
                Issue.record("a request without a key was not created")
                return
            }
            #expect(try await Self.count("commands", client, schema) == 3)
            #expect(try await Self.count("audit_log", client, schema) == 2)
            let desired = try await repository.unpublishedDesiredStates(limit: 10)
            #expect(desired.first { $0.vehicleID.rawValue == "veh-a" }?.revision == 2)

            // Published marks in one statement: the highest revision wins, a lower one does not undo it.
            try await repository.markDesiredPublished(["veh-a": 2, "veh-b": 1])
            try await repository.markDesiredPublished(["veh-a": 1])
            #expect(try await repository.unpublishedDesiredStates(limit: 10).isEmpty)
        }
    }

    @Test("Batched transitions follow the lifecycle rules per command and report applied, stale and unknown")
    func batchedTransitions() async throws {
        try await TestPostgres.withSchema { client, schema in
            let repository = try await Self.repository(client, schema)
            let new = Self.pause(["veh-a", "veh-b"])
            _ = try await repository.create(new, idempotency: nil, audit: Self.audit) { _ in (202, "") }
            let (a, b) = (new.ids[0], new.ids[1])

            let first = try await repository.transition([
                TransitionRequest(commandID: a, vehicleID: nil, status: .sent, reason: nil),
                TransitionRequest(commandID: b, vehicleID: "veh-a", status: .acknowledged, reason: nil),  // not b's vehicle
                TransitionRequest(commandID: MessageID.random().rawValue, vehicleID: "veh-a", status: .completed, reason: nil),
            ])
            #expect(first.map(Self.kind) == ["applied", "unknown", "unknown"])

            let second = try await repository.transition([
                TransitionRequest(commandID: a, vehicleID: "veh-a", status: .acknowledged, reason: nil),
                TransitionRequest(commandID: b, vehicleID: "veh-b", status: .rejected, reason: "busy"),  // from pending
            ])
            #expect(second.map(Self.kind) == ["applied", "applied"])

            let third = try await repository.transition([
                TransitionRequest(commandID: a, vehicleID: "veh-a", status: .completed, reason: nil),
                TransitionRequest(commandID: b, vehicleID: nil, status: .sent, reason: nil),  // a late PUBACK
            ])
            #expect(third.map(Self.kind) == ["applied", "stale"])

            let recordA = try #require(try await repository.command(a))
            #expect(recordA.status == .completed)
            #expect(recordA.transitions.map(\.status) == [.pending, .sent, .acknowledged, .completed])
            let recordB = try #require(try await repository.command(b))
            #expect(recordB.status == .rejected)
            #expect(recordB.statusReason == "busy")
            #expect(recordB.transitions.map(\.status) == [.pending, .rejected])
            #expect(recordB.transitions.last?.reason == "busy")

            let history = try await repository.history(vehicle: "veh-a", limit: 10)
            #expect(history.map(\.id) == [a])
            #expect(history.first?.transitions.count == 4)
            #expect(try await repository.command(MessageID.random().rawValue) == nil)
        }
    }

    @Test("Single transitions (prepared statements) follow the same rules and outcomes as batched ones")
    func singleTransitions() async throws {
        try await TestPostgres.withSchema { client, schema in
            let repository = try await Self.repository(client, schema)
            try await repository.checkSearchPath()
            let new = Self.pause(["veh-a"])
            _ = try await repository.create(new, idempotency: nil, audit: Self.audit) { _ in (202, "") }
            let id = new.ids[0]
            func one(_ vehicle: String?, _ status: CommandStatus, _ reason: String? = nil, command: String? = nil) async throws -> String {
                let outcomes = try await repository.transition([TransitionRequest(commandID: command ?? id, vehicleID: vehicle, status: status, reason: reason)])
                return outcomes.map(Self.kind).joined()
            }
            #expect(try await one("veh-b", .acknowledged) == "unknown")  // another vehicle's command
            #expect(try await one("veh-a", .completed, command: MessageID.random().rawValue) == "unknown")
            #expect(try await one(nil, .sent) == "applied")
            #expect(try await one("veh-a", .acknowledged) == "applied")
            #expect(try await one(nil, .sent) == "stale")  // a late PUBACK
            #expect(try await one("veh-a", .failed, "jammed") == "applied")
            #expect(try await one("veh-a", .completed) == "stale")

            let record = try #require(try await repository.command(id))
            #expect(record.status == .failed)
            #expect(record.statusReason == "jammed")
            #expect(record.transitions.map(\.status) == [.pending, .sent, .acknowledged, .failed])
            #expect(record.transitions.last?.reason == "jammed")
            let vehicles = PostgresVehicleRepository(client: client, schema: schema, logger: silentLogger)
            #expect(try await vehicles.connectivity(of: ["veh-a"]).isEmpty)  // commands do not register vehicles
            _ = try await vehicles.upsert(VehicleState(vehicleID: try VehicleID("veh-a"), connectivity: .online, lastSeenMillis: 1, status: .idle))
            #expect(try await vehicles.connectivity(of: ["veh-a"]) == ["veh-a": .online])
        }
    }

    @Test("Concurrent batches over the same commands and desired states, in opposite orders, queue instead of deadlocking")
    func concurrentBatchesDoNotDeadlock() async throws {
        try await TestPostgres.withSchema { client, schema in
            let repository = try await Self.repository(client, schema)
            let vehicles = (0..<150).map { String(format: "veh-%03d", $0) }
            for round in 0..<4 {
                let new = Self.pause(vehicles)
                _ = try await repository.create(new, idempotency: nil, audit: Self.audit) { _ in (202, "") }
                // What the dispatcher runs side by side: `sent` marks, acknowledgements (here in the opposite order),
                // published marks of desired states, and the next fleet command changing those desired states.
                let sent = new.ids.map { TransitionRequest(commandID: $0, vehicleID: nil, status: .sent, reason: nil) }
                let acks = zip(new.ids, vehicles).reversed().map { TransitionRequest(commandID: $0, vehicleID: $1, status: .acknowledged, reason: nil) }
                let published = Dictionary(uniqueKeysWithValues: vehicles.map { ($0, UInt64(round + 1)) })
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { _ = try await repository.transition(sent) }
                    group.addTask { _ = try await repository.transition(acks) }
                    group.addTask { try await repository.markDesiredPublished(published) }
                    group.addTask { _ = try await repository.create(Self.pause(vehicles.reversed()), idempotency: nil, audit: Self.audit) { _ in (202, "") } }
                    try await group.waitForAll()
                }
                for id in new.ids.prefix(5) {
                    #expect(try await repository.command(id)?.status == .acknowledged)
                }
            }
        }
    }

    @Test("Connectivity look-ups are read once, then answered from memory, and follow every upsert through the cache")
    func cachedConnectivity() async throws {
        try await TestPostgres.withSchema { client, schema in
            _ = try await Self.repository(client, schema)
            let database = PostgresVehicleRepository(client: client, schema: schema, logger: silentLogger)
            let cached = CachedVehicleRepository(database)
            #expect(try await cached.connectivity(of: ["veh-a"]).isEmpty)  // unknown: not remembered as such
            _ = try await database.upsert(VehicleState(vehicleID: try VehicleID("veh-a"), connectivity: .online, lastSeenMillis: 1, status: .idle))
            #expect(try await cached.connectivity(of: ["veh-a", "veh-b"]) == ["veh-a": .online])  // read from the database

            // From memory now: a change behind the cache's back is not seen...
            try await client.query("UPDATE \(unescaped: schema).vehicles SET connectivity = 'offline' WHERE id = 'veh-a'", logger: silentLogger)
            #expect(try await cached.connectivity(of: ["veh-a"]) == ["veh-a": .online])
            // ...while an upsert through it is, and is stored.
            let previous = try await cached.upsert(VehicleState(vehicleID: try VehicleID("veh-a"), connectivity: .offline, lastSeenMillis: 2, status: nil))
            #expect(previous == .offline)
            #expect(try await cached.connectivity(of: ["veh-a"]) == ["veh-a": .offline])
            #expect(try await database.connectivity(of: ["veh-a"]) == ["veh-a": .offline])
        }
    }

    @Test("A client whose search path is not the service's schema is refused at start")
    func searchPathChecked() async throws {
        try await TestPostgres.withSchema { client, schema in
            _ = try await Self.repository(client, schema)
            let other = PostgresCommandRepository(client: client, schema: schema + "_other", logger: silentLogger)
            await #expect(throws: PostgresSearchPathError.self) { try await other.checkSearchPath() }
        }
    }

    static let audit = AuditEntry(actorTokenID: "tok_test", actorName: "test", action: "command.create", target: "test", outcome: "ok", details: nil, remoteAddress: "127.0.0.1")

    static func pause(_ vehicles: [String]) -> NewCommands {
        let now = Date()
        return NewCommands(
            ids: vehicles.map { _ in MessageID.random().rawValue }, vehicleIDs: vehicles, action: .pause, reason: "test", createdAt: now,
            expiresAt: now.addingTimeInterval(60), batchID: nil, createdBy: "tok_test", firstResendAt: now
        )
    }

    static func repository(_ client: PostgresClient, _ schema: String) async throws -> PostgresCommandRepository {
        let migrations = try Migration.bundled(in: .module)
        try await MigrationRunner(client: client, schema: schema, migrations: migrations, logger: silentLogger).migrate()
        return PostgresCommandRepository(client: client, schema: schema, logger: silentLogger)
    }

    static func count(_ table: String, _ client: PostgresClient, _ schema: String) async throws -> Int64 {
        let rows = try await client.query("SELECT count(*) FROM \(unescaped: schema).\(unescaped: table)", logger: silentLogger)
        for try await value in rows.decode(Int64.self) { return value }
        return 0
    }

    static func kind(_ outcome: TransitionOutcome) -> String {
        switch outcome {
        case .applied: "applied"
        case .stale: "stale"
        case .unknown: "unknown"
        }
    }
}
