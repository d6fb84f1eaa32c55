import FleetCore
import FleetService
import Foundation
import Logging
import PostgresNIO

/// ``VehicleRepository`` on PostgreSQL (`<schema>.vehicles`, `vehicle_tags`, `desired_states`).
struct PostgresVehicleRepository: VehicleRepository {
    let client: PostgresClient
    let schema: String
    let logger: Logger

    func upsert(_ state: VehicleState) async throws -> Connectivity? {
        let rows = try await client.query(
            """
            WITH previous AS (SELECT connectivity FROM \(unescaped: schema).vehicles WHERE id = \(state.vehicleID.rawValue))
            INSERT INTO \(unescaped: schema).vehicles AS v (id, connectivity, last_seen, status)
            VALUES (\(state.vehicleID.rawValue), \(state.connectivity.rawValue), \(state.lastSeen), \(state.status?.rawValue))
            ON CONFLICT (id) DO UPDATE SET connectivity = EXCLUDED.connectivity, last_seen = EXCLUDED.last_seen,
                status = coalesce(EXCLUDED.status, v.status), updated_at = now()
            RETURNING (SELECT connectivity FROM previous)
            """,
            logger: logger
        )
        var previous: String?
        for try await value in rows.decode(String?.self) { previous = value }
        return previous.flatMap(Connectivity.init(rawValue:))
    }

    func vehicle(_ id: String) async throws -> VehicleRecord? {
        try await query(whereClause: "v.id = $1", bindings: [id], limit: 1).first
    }

    func list(tag: String?, connectivity: Connectivity?, after: String?, limit: Int) async throws -> [VehicleRecord] {
        try await query(
            whereClause: """
                ($1::text IS NULL OR EXISTS (SELECT 1 FROM \(schema).vehicle_tags t WHERE t.vehicle_id = v.id AND t.tag = $1))
                AND ($2::text IS NULL OR v.connectivity = $2) AND ($3::text IS NULL OR v.id > $3)
                """,
            bindings: [tag, connectivity?.rawValue, after],
            limit: limit
        )
    }

    private func query(whereClause: String, bindings values: [String?], limit: Int) async throws -> [VehicleRecord] {
        var bindings = PostgresBindings()
        for value in values { bindings.append(value) }
        bindings.append(limit)
        let sql = """
            SELECT v.id, v.connectivity, v.last_seen, v.status,
                   coalesce((SELECT array_agg(t.tag ORDER BY t.tag) FROM \(schema).vehicle_tags t WHERE t.vehicle_id = v.id), '{}'),
                   d.revision, d.paused, d.speed_limit_mps, d.reason, d.updated_at, d.published_revision >= d.revision
            FROM \(schema).vehicles v LEFT JOIN \(schema).desired_states d ON d.vehicle_id = v.id
            WHERE \(whereClause)
            ORDER BY v.id LIMIT $\(values.count + 1)
            """
        let rows = try await client.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger)
        var vehicles: [VehicleRecord] = []
        for try await (id, connectivity, lastSeen, status, tags, revision, paused, speed, reason, updatedAt, published) in rows.decode(
            (String, String, Date, String?, [String], Int64?, Bool?, Double?, String?, Date?, Bool?).self
        ) {
            var desired: VehicleRecord.Desired?
            if let revision, let paused, let updatedAt {
                desired = .init(revision: revision, paused: paused, speedLimitMetersPerSecond: speed, reason: reason, updatedAt: updatedAt, published: published ?? false)
            }
            vehicles.append(VehicleRecord(id: id, connectivity: connectivity, lastSeen: lastSeen, status: status, tags: tags, desired: desired, position: nil))
        }
        return vehicles
    }

    func connectivity(of ids: [String]) async throws -> [String: Connectivity] {
        let rows = try await client.query(
            "SELECT id, connectivity FROM \(unescaped: schema).vehicles WHERE id = ANY(\(ids))",
            logger: logger
        )
        return try await collect(rows)
    }

    func select(tag: String?, limit: Int) async throws -> [String: Connectivity] {
        let rows = try await client.query(
            """
            SELECT v.id, v.connectivity FROM \(unescaped: schema).vehicles v
            WHERE \(tag)::text IS NULL OR EXISTS (SELECT 1 FROM \(unescaped: schema).vehicle_tags t WHERE t.vehicle_id = v.id AND t.tag = \(tag))
            ORDER BY v.id LIMIT \(limit)
            """,
            logger: logger
        )
        return try await collect(rows)
    }

    private func collect(_ rows: PostgresRowSequence) async throws -> [String: Connectivity] {
        var result: [String: Connectivity] = [:]
        for try await (id, connectivity) in rows.decode((String, String).self) {
            result[id] = Connectivity(rawValue: connectivity) ?? .offline
        }
        return result
    }

    func addTag(_ tag: String, to vehicle: String, audit: AuditEntry) async throws -> Bool? {
        try await client.withUnwrappedTransaction(logger: logger) { connection in
            guard try await exists(vehicle, on: connection) else { return nil }
            let rows = try await connection.query(
                "INSERT INTO \(unescaped: schema).vehicle_tags (vehicle_id, tag) VALUES (\(vehicle), \(tag)) ON CONFLICT DO NOTHING RETURNING 1",
                logger: logger
            )
            var added = false
            for try await _ in rows { added = true }
            try await AuditSQL.insert(audit, schema: schema, on: connection, logger: logger)
            return added
        }
    }

    func removeTag(_ tag: String, from vehicle: String, audit: AuditEntry) async throws -> Bool? {
        try await client.withUnwrappedTransaction(logger: logger) { connection in
            guard try await exists(vehicle, on: connection) else { return nil }
            let rows = try await connection.query(
                "DELETE FROM \(unescaped: schema).vehicle_tags WHERE vehicle_id = \(vehicle) AND tag = \(tag) RETURNING 1",
                logger: logger
            )
            var removed = false
            for try await _ in rows { removed = true }
            try await AuditSQL.insert(audit, schema: schema, on: connection, logger: logger)
            return removed
        }
    }

    private func exists(_ vehicle: String, on connection: PostgresConnection) async throws -> Bool {
        let rows = try await connection.query("SELECT 1 FROM \(unescaped: schema).vehicles WHERE id = \(vehicle)", logger: logger)
        for try await _ in rows { return true }
        return false
    }

    func tags() async throws -> [(tag: String, vehicles: Int)] {
        let rows = try await client.query(
            "SELECT tag, count(*)::bigint FROM \(unescaped: schema).vehicle_tags GROUP BY tag ORDER BY tag",
            logger: logger
        )
        var result: [(tag: String, vehicles: Int)] = []
        for try await (tag, count) in rows.decode((String, Int64).self) { result.append((tag, Int(count))) }
        return result
    }
}
