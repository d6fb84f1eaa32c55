import FleetReports
import PostgresNIO

extension PostgresAlertRepository: AlertReportRepository {
    /// One statement with bound parameters. Times are whole milliseconds, rounded to the nearest as the suite's other
    /// millisecond times are; an alert belongs to the period when its rounded raise time does. For that the bounds are
    /// moved half a millisecond earlier, so the predicate stays a plain range on `fired_at` (an index on it would serve).
    /// One row more than `limit` is read to know whether the answer is truncated.
    func alertReport(for period: ReportPeriod, limit: Int) async throws -> ReportData {
        let rows = try await client.query(
            """
            SELECT id, vehicle_id, event_type, severity,
                   round(extract(epoch FROM fired_at) * 1000)::int8 AS raised_ms,
                   round(extract(epoch FROM acknowledged_at) * 1000)::int8,
                   round(extract(epoch FROM resolved_at) * 1000)::int8
            FROM \(unescaped: schema).alerts
            WHERE fired_at >= to_timestamp((\(period.fromMillis) - 0.5) / 1000.0)
              AND fired_at < to_timestamp((\(period.toMillis) - 0.5) / 1000.0)
            ORDER BY raised_ms, id COLLATE "C"
            LIMIT \(limit + 1)
            """, logger: logger)
        var data = ReportData(period: period)
        for try await (id, vehicle, type, severity, raised, acknowledged, resolved) in rows.decode(
            (String, String?, String, String, Int64, Int64?, Int64?).self)
        {
            guard data.alerts.count < limit else {
                data.truncated = true
                break
            }
            data.alerts.append(
                .init(
                    id: id, vehicleID: vehicle, type: type, severity: severity, raisedMillis: raised, acknowledgedMillis: acknowledged,
                    resolvedMillis: resolved))
        }
        return data
    }
}
