import FleetCore
import FleetHealthRules
import Logging
import PostgresNIO

extension PostgresHealthRepository: HealthReportRepository {
    func reportIncidents(fromMillis: Int64, toMillis: Int64, limit: Int) async throws -> [Incident] {
        let from = Double(fromMillis) / 1000
        let to = Double(toMillis) / 1000
        // `started_at < to` walks incidents_by_start (backwards); an incident still open started before `to` and is kept
        // whatever its age.
        let rows = try await client.query(
            """
            SELECT id, vehicle_id, cause, (extract(epoch FROM started_at) * 1000)::int8, (extract(epoch FROM ended_at) * 1000)::int8, detail
            FROM incidents
            WHERE started_at < to_timestamp(\(to)) AND (ended_at IS NULL OR ended_at >= to_timestamp(\(from)))
            ORDER BY started_at, id
            LIMIT \(limit)
            """, logger: logger)
        var out: [Incident] = []
        for try await (id, vehicle, cause, started, ended, detail) in rows.decode((String, String, String, Int64, Int64?, String).self) {
            guard let vehicleID = VehicleID(validating: vehicle), let cause = IncidentCause(rawValue: cause) else { continue }
            out.append(Incident(id: id, vehicleID: vehicleID, cause: cause, startedMillis: started, endedMillis: ended, detail: detail))
        }
        return out
    }

    func reportVehicles(toMillis: Int64, limit: Int) async throws -> [ReportVehicle] {
        let to = Double(toMillis) / 1000
        let rows = try await client.query(
            """
            SELECT vehicle_id, active::text, rul_cycles, (extract(epoch FROM rul_at) * 1000)::int8
            FROM vehicle_health
            WHERE first_seen < to_timestamp(\(to))
            ORDER BY vehicle_id
            LIMIT \(limit)
            """, logger: logger)
        var out: [ReportVehicle] = []
        for try await (id, json, rul, rulAt) in rows.decode((String, String, Double?, Int64?).self) {
            out.append(ReportVehicle(vehicleID: id, active: HealthCondition.decodeActive(json), rulCycles: rul, rulAtMillis: rulAt))
        }
        return out
    }
}
