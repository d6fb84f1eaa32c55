import FleetReports
import Foundation
import Logging
import PostgresNIO

extension PostgresPlanRepository: RouteReportRepository {
    /// How far the row's `created_at` (the database's clock at insert) may lie from the plan's `created_at_ms` (the
    /// service's clock when solving began), generously: a synchronous plan is stored once solved (seconds), plus any
    /// difference between the two clocks.
    private static let insertLagMillis: Int64 = 86_400_000

    func routeRecords(fromMillis: Int64, toMillis: Int64, limit: Int) async throws -> [RouteRecord] {
        // The period is the plans' own `created_at_ms`; the pre-filter on the column, a day wider either side, spares
        // reading the plan documents (routes with their geometry) of every other plan. Only the stops leave the database.
        let earliest = Date(timeIntervalSince1970: Double(fromMillis - Self.insertLagMillis) / 1_000)
        let latest = Date(timeIntervalSince1970: Double(toMillis + Self.insertLagMillis) / 1_000)
        let rows = try await client.query(
            """
            SELECT id::text, (plan->>'created_at_ms')::int8 AS created_ms, coalesce(jsonb_array_length(plan->'routes'), 0),
                   jsonb_path_query_array(plan, '$.routes[*].stops[*]')::text
            FROM plans
            WHERE created_at >= \(earliest) AND created_at < \(latest)
              AND (plan->>'created_at_ms')::int8 >= \(fromMillis) AND (plan->>'created_at_ms')::int8 < \(toMillis)
            ORDER BY created_ms, id
            LIMIT \(limit)
            """, logger: logger)
        var out: [RouteRecord] = []
        let decoder = JSONDecoder()
        for try await (id, created, vehicles, stops) in rows.decode((String, Int64, Int, String).self) {
            let planned = try decoder.decode([Plan.PlannedStop].self, from: Data(stops.utf8))
            out.append(RouteRecord(planID: id, createdMillis: created, vehicles: vehicles, stops: planned))
        }
        return out
    }
}
