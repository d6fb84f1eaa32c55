import FleetService
import Foundation
import Logging
import PostgresNIO

/// ``PlanRepository`` in the service's own schema (the client's search path). Plans are stored as JSON documents.
struct PostgresPlanRepository: PlanRepository {
    let client: PostgresClient
    let outbox: EventOutbox
    let logger: Logger

    init(client: PostgresClient, schema: String, logger: Logger) {
        self.client = client
        outbox = EventOutbox(schema: schema, logger: logger)
        self.logger = logger
    }

    private static func json(_ value: some Encodable) throws -> String {
        String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
    }

    private static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(text.utf8))
    }

    // MARK: Plans

    func insert(_ plan: Plan, request: PlanRequest) async throws {
        guard let id = UUID(uuidString: plan.id) else { throw PlanStoreError.badID(plan.id) }
        let planJSON = try Self.json(plan)
        let requestJSON = try Self.json(request)
        try await client.query(
            """
            INSERT INTO plans (id, status, request, plan) VALUES (\(id), \(plan.status.rawValue), \(requestJSON)::jsonb, \(planJSON)::jsonb)
            """, logger: logger)
    }

    func update(_ plan: Plan) async throws {
        guard let id = UUID(uuidString: plan.id) else { throw PlanStoreError.badID(plan.id) }
        let planJSON = try Self.json(plan)
        let dispatched = plan.dispatchedAtMillis.map { Date(timeIntervalSince1970: Double($0) / 1_000) }
        try await client.query(
            """
            UPDATE plans SET status = \(plan.status.rawValue), plan = \(planJSON)::jsonb, updated_at = now(),
                dispatched_at = \(dispatched) WHERE id = \(id)
            """, logger: logger)
    }

    func plan(id: UUID) async throws -> Plan? {
        let rows = try await client.query("SELECT plan::text FROM plans WHERE id = \(id)", logger: logger)
        for try await text in rows.decode(String.self) { return try Self.decode(Plan.self, text) }
        return nil
    }

    func request(id: UUID) async throws -> PlanRequest? {
        let rows = try await client.query("SELECT request::text FROM plans WHERE id = \(id)", logger: logger)
        for try await text in rows.decode(String.self) { return try Self.decode(PlanRequest.self, text) }
        return nil
    }

    func pending() async throws -> [(Plan, PlanRequest)] {
        let rows = try await client.query(
            "SELECT plan::text, request::text FROM plans WHERE status IN ('queued', 'running') ORDER BY created_at",
            logger: logger)
        var found: [(Plan, PlanRequest)] = []
        for try await (plan, request) in rows.decode((String, String).self) {
            found.append((try Self.decode(Plan.self, plan), try Self.decode(PlanRequest.self, request)))
        }
        return found
    }

    func active(since millis: Int64) async throws -> [Plan] {
        let since = Date(timeIntervalSince1970: Double(millis) / 1_000)
        let rows = try await client.query(
            "SELECT plan::text FROM plans WHERE dispatched_at IS NOT NULL AND dispatched_at >= \(since) ORDER BY dispatched_at",
            logger: logger)
        var found: [Plan] = []
        for try await text in rows.decode(String.self) { found.append(try Self.decode(Plan.self, text)) }
        return found
    }

    func modify(id: UUID, _ change: @Sendable (Plan) throws -> Plan?) async throws -> Plan? {
        try await client.withTransaction(logger: logger) { connection in
            let rows = try await connection.query("SELECT plan::text FROM plans WHERE id = \(id) FOR UPDATE", logger: logger)
            var stored: Plan?
            for try await text in rows.decode(String.self) { stored = try Self.decode(Plan.self, text) }
            guard let stored, let changed = try change(stored) else { return nil }
            let planJSON = try Self.json(changed)
            let dispatched = changed.dispatchedAtMillis.map { Date(timeIntervalSince1970: Double($0) / 1_000) }
            try await connection.query(
                """
                UPDATE plans SET status = \(changed.status.rawValue), plan = \(planJSON)::jsonb, updated_at = now(),
                    dispatched_at = \(dispatched) WHERE id = \(id)
                """, logger: logger)
            return changed
        }
    }

    // MARK: Jams

    func startJam(_ jam: JamRecord, event: OutboxMessage) async throws -> Bool {
        let started = Date(timeIntervalSince1970: Double(jam.startedAtMillis) / 1_000)
        return try await client.withTransaction(logger: logger) { connection in
            let rows = try await connection.query(
                """
                INSERT INTO jams (id, edge, road, lat, lon, speed_kmh, free_flow_kmh, started_at)
                VALUES (\(jam.id), \(jam.edge), \(jam.road), \(jam.lat), \(jam.lon), \(jam.speedKmh), \(jam.freeFlowKmh), \(started))
                ON CONFLICT (edge) WHERE cleared_at IS NULL DO NOTHING RETURNING id
                """, logger: logger)
            var inserted = false
            for try await _ in rows.decode(UUID.self) { inserted = true }
            if inserted { try await outbox.enqueue([event], on: connection) }
            return inserted
        }
    }

    func clearJam(edge: Int, atMillis millis: Int64, reason: String, event: OutboxMessage) async throws -> Bool {
        let cleared = Date(timeIntervalSince1970: Double(millis) / 1_000)
        return try await client.withTransaction(logger: logger) { connection in
            let rows = try await connection.query(
                """
                UPDATE jams SET cleared_at = \(cleared), clear_reason = \(reason)
                WHERE edge = \(edge) AND cleared_at IS NULL RETURNING id
                """, logger: logger)
            var updated = false
            for try await _ in rows.decode(UUID.self) { updated = true }
            if updated { try await outbox.enqueue([event], on: connection) }
            return updated
        }
    }

    func openJams() async throws -> [JamRecord] {
        let rows = try await client.query(
            """
            SELECT id, edge, road, lat, lon, speed_kmh, free_flow_kmh, (extract(epoch FROM started_at) * 1000)::int8
            FROM jams WHERE cleared_at IS NULL ORDER BY started_at
            """, logger: logger)
        var jams: [JamRecord] = []
        for try await (id, edge, road, lat, lon, speed, freeFlow, started) in rows.decode(
            (UUID, Int, String?, Double?, Double?, Double, Double, Int64).self)
        {
            jams.append(JamRecord(
                id: id, edge: edge, road: road, lat: lat, lon: lon, speedKmh: speed, freeFlowKmh: freeFlow,
                startedAtMillis: started))
        }
        return jams
    }

    // MARK: Conditions

    func saveConditions(_ conditions: VehicleConditions, vehicle: String) async throws {
        if conditions.isEmpty {
            try await client.query("DELETE FROM vehicle_conditions WHERE vehicle_id = \(vehicle)", logger: logger)
            return
        }
        let json = try Self.json(conditions)
        try await client.query(
            """
            INSERT INTO vehicle_conditions (vehicle_id, conditions) VALUES (\(vehicle), \(json)::jsonb)
            ON CONFLICT (vehicle_id) DO UPDATE SET conditions = EXCLUDED.conditions, updated_at = now()
            """, logger: logger)
    }

    func loadConditions() async throws -> [String: VehicleConditions] {
        let rows = try await client.query("SELECT vehicle_id, conditions::text FROM vehicle_conditions", logger: logger)
        var found: [String: VehicleConditions] = [:]
        for try await (vehicle, json) in rows.decode((String, String).self) {
            found[vehicle] = try Self.decode(VehicleConditions.self, json)
        }
        return found
    }
}

/// A plan id that is not a UUID reached the store (a programming error, never user input).
enum PlanStoreError: Error {
    case badID(String)
}
