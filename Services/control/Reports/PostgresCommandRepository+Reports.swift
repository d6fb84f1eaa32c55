import FleetReports
import PostgresNIO

extension PostgresCommandRepository: CommandReportRepository {
    /// One statement with bound parameters; the answer time comes from the command's transitions through their
    /// `(command_id, id)` index. Times are whole milliseconds, rounded to the nearest as the suite's other millisecond
    /// times are; a command belongs to the period when its rounded issue time does. For that the bounds are moved half a
    /// millisecond earlier, so the predicate stays a plain range on `created_at` (an index on it would serve). One row
    /// more than `limit` is read to know whether the answer is truncated.
    func commandReport(for period: ReportPeriod, limit: Int) async throws -> ReportData {
        let rows = try await client.query(
            """
            SELECT c.id, c.vehicle_id, c.action,
                   CASE
                       WHEN c.status IN ('acknowledged', 'completed') THEN 'acknowledged'
                       WHEN c.status IN ('rejected', 'failed', 'expired') THEN c.status
                       WHEN c.expires_at <= now() THEN 'expired'
                       ELSE 'pending'
                   END,
                   round(extract(epoch FROM c.created_at) * 1000)::int8 AS issued_ms,
                   round(extract(epoch FROM (
                       SELECT min(t.at) FROM \(unescaped: schema).command_transitions t
                       WHERE t.command_id = c.id AND t.status IN ('acknowledged', 'rejected', 'completed', 'failed')
                   )) * 1000)::int8
            FROM \(unescaped: schema).commands c
            WHERE c.created_at >= to_timestamp((\(period.fromMillis) - 0.5) / 1000.0)
              AND c.created_at < to_timestamp((\(period.toMillis) - 0.5) / 1000.0)
            ORDER BY issued_ms, c.id COLLATE "C"
            LIMIT \(limit + 1)
            """,
            logger: logger
        )
        var data = ReportData(period: period)
        for try await (id, vehicle, action, outcome, issued, answered) in rows.decode((String, String, String, String, Int64, Int64?).self) {
            guard data.commands.count < limit else {
                data.truncated = true
                break
            }
            // Built from the element type: this module's own `CommandRecord` (the API's) shadows the report's.
            data.commands.append(
                .init(id: id, vehicleID: vehicle, action: action, outcome: outcome, issuedMillis: issued, answeredMillis: answered))
        }
        return data
    }
}
