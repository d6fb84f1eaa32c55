import Foundation
import PostgresNIO

extension PostgresTrackingRepository {
    func geofences() async throws -> [Geofence] {
        let rows = try await client.query(
            "SELECT id, name, ring::text FROM \(unescaped: schema).geofences ORDER BY id", logger: logger)
        var fences: [Geofence] = []
        for try await (id, name, ring) in rows.decode((String, String, String).self) {
            let points = try JSONDecoder().decode([[Double]].self, from: Data(ring.utf8))
            fences.append(Geofence(id: id, name: name, ring: points))
        }
        return fences
    }

    func geofencesVersion() async throws -> Int64 {
        let rows = try await client.query(
            "SELECT (extract(epoch FROM changed_at) * 1000000)::int8 FROM \(unescaped: schema).geofence_changes WHERE id = 1",
            logger: logger)
        for try await version in rows.decode(Int64.self) {
            return version
        }
        return 0
    }

    func upsertGeofence(_ geofence: Geofence) async throws -> Bool {
        let ring = String(decoding: try JSONEncoder().encode(geofence.ring), as: UTF8.self)
        return try await client.withTransaction(logger: logger) { connection in
            let rows = try await connection.query(
                """
                INSERT INTO \(unescaped: schema).geofences AS cur (id, name, ring) VALUES (\(geofence.id), \(geofence.name), \(ring)::jsonb)
                ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, ring = EXCLUDED.ring, updated_at = now()
                RETURNING (xmax = 0)
                """, logger: logger)
            var created = false
            for try await inserted in rows.decode(Bool.self) {
                created = inserted
            }
            try await connection.query(
                "UPDATE \(unescaped: schema).geofence_changes SET changed_at = clock_timestamp() WHERE id = 1", logger: logger)
            return created
        }
    }

    func deleteGeofence(id: String) async throws -> Bool {
        try await client.withTransaction(logger: logger) { connection in
            let rows = try await connection.query(
                "DELETE FROM \(unescaped: schema).geofences WHERE id = \(id) RETURNING 1", logger: logger)
            var deleted = false
            for try await _ in rows.decode(Int.self) {
                deleted = true
            }
            if deleted {
                try await connection.query(
                    "UPDATE \(unescaped: schema).geofence_changes SET changed_at = clock_timestamp() WHERE id = 1", logger: logger)
            }
            return deleted
        }
    }
}
