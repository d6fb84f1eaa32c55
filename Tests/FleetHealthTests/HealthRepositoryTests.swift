import FleetCore
import FleetHealthRules
import FleetService
import FleetTestSupport
import Foundation
import Testing

@testable import FleetHealth

@Suite("Transitions decided in the database", .enabled(if: TestPostgres.isConfigured, "FLEET_POSTGRES_HOST is not set"), .timeLimit(.minutes(2)))
struct HealthRepositoryTests {
    func repository(_ harness: HealthHarness) throws -> PostgresHealthRepository {
        PostgresHealthRepository(
            client: harness.admin, schema: harness.schema, faultCodes: try FaultCodeTable.bundled(), metrics: HealthMetrics(), logger: silentLogger)
    }

    func transition(_ condition: HealthCondition, _ change: HealthTransition.Change, at time: Int64, _ attributes: [String: String] = [:]) -> HealthTransition {
        HealthTransition(vehicleID: try! VehicleID("car-5"), condition: condition, change: change, timeMillis: time, severity: .warning, attributes: attributes)
    }

    @Test("a transition is confirmed once; a silence decided before the vehicle went offline, or before another replica heard it, is not")
    func confirmations() async throws {
        try await withHealthHarness { harnessRef in
            let harness = harnessRef
            try await harness.run { _, _, _ in
                let repository = try repository(harness)
                let now = TimestampPolicy.millis(from: .now)
                let low = transition(HealthCondition(.lowBattery), .enter, at: now)
                #expect(try await repository.apply([low], tags: [:]).confirmed == [low])
                #expect(try await repository.apply([low], tags: [:]).confirmed.isEmpty, "already recorded")

                // Offline recorded first: a silence the sweep decided from an older read is refused.
                let offline = transition(HealthCondition(.offline), .enter, at: now)
                #expect(try await repository.apply([offline], tags: [:]).confirmed == [offline])
                let staleSilence = transition(HealthCondition(.silent), .enter, at: now + 1, ["last_seen_ms": String(now - 200_000)])
                #expect(try await repository.apply([staleSilence], tags: [:]).confirmed.isEmpty)

                // Back online, but heard from (by any replica) after the silence was decided: refused too.
                _ = try await repository.apply([transition(HealthCondition(.offline), .leave, at: now + 2)], tags: [:])
                try await repository.flush([SeenVehicle(vehicleID: "car-5", lastSeenMillis: now)])
                #expect(try await repository.apply([staleSilence], tags: [:]).confirmed.isEmpty)
                let realSilence = transition(HealthCondition(.silent), .enter, at: now + 3, ["last_seen_ms": String(now)])
                let applied = try await repository.apply([realSilence], tags: ["car-5": ["cold-chain", "north"]])
                #expect(applied.confirmed == [realSilence])
                #expect(applied.active[try VehicleID("car-5")]?.keys.map(\.key).sorted() == ["low_battery", "silent"])
                #expect(try await harness.count("incidents", where: "cause = 'silent' AND ended_at IS NULL") == 1)
                #expect(try await harness.count("incidents", where: "cause = 'offline' AND ended_at IS NOT NULL") == 1)
                // The event carries the registry's tags, sorted.
                let event = try #require(repository.event(for: realSilence, tags: ["north", "cold-chain"]))
                #expect(event.attributes["tags"] == "cold-chain,north")
            }
        }
    }
}

extension HealthRepositoryTests {
    @Test("recorded offline after a silence it did not know of (the sweep and the state consumer raced): the silence ends with it")
    func offlineEndsSilence() async throws {
        try await withHealthHarness { harnessRef in
            let harness = harnessRef
            try await harness.run { _, _, _ in
                let repository = try repository(harness)
                let now = TimestampPolicy.millis(from: .now)
                let silence = transition(HealthCondition(.silent), .enter, at: now, ["last_seen_ms": String(now - 200_000)])
                #expect(try await repository.apply([silence], tags: [:]).confirmed == [silence])
                // The state consumer's proposal knows nothing of the silence: offline alone.
                let applied = try await repository.apply([transition(HealthCondition(.offline), .enter, at: now + 500)], tags: [:])
                #expect(applied.confirmed.map { "\($0.change.rawValue) \($0.condition.key)" } == ["enter offline", "leave silent"])
                #expect(applied.active[try VehicleID("car-5")]?.keys.map(\.key) == ["offline"])
                #expect(try await harness.count("incidents", where: "cause = 'silent' AND ended_at IS NOT NULL") == 1)
                #expect(try await harness.count("incidents", where: "cause = 'offline' AND ended_at IS NULL") == 1)
            }
        }
    }
}
