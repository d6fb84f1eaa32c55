import FleetCore
import FleetReports
import FleetService
import Foundation
import PostgresNIO

extension PostgresTrackingRepository: ReportRepository {
    func vehicleTags(tag: String?) async throws -> [String: [String]] {
        let rows = try await client.query(
            """
            SELECT id, tags FROM \(unescaped: schema).vehicles
            WHERE \(tag)::text IS NULL OR tags @> ARRAY[\(tag)::text]
            """, logger: logger)
        var result: [String: [String]] = [:]
        for try await (id, tags) in rows.decode((String, [String]).self) { result[id] = tags.sorted() }
        return result
    }

    func streamSamples(_ day: ArchiveDay, fromMillis: Int64, toMillis: Int64, _ body: (ActivitySample) async throws -> Void) async throws {
        // The partition's primary key (vehicle_id, device_time, seq) gives the order without a sort.
        let rows = try await client.query(
            PostgresQuery(
                unsafeSQL: """
                    SELECT vehicle_id, (extract(epoch FROM device_time) * 1000)::int8, speed_mps::float8, odometer_m,
                      battery_pct::float8, fuel_pct::float8, status
                    FROM \(schema).\(day.partition)
                    WHERE device_time >= to_timestamp($1::float8 / 1000) AND device_time < to_timestamp($2::float8 / 1000)
                    ORDER BY vehicle_id, device_time, seq
                    """, binds: try Self.binds(fromMillis, toMillis)), logger: logger)
        for try await (vehicle, millis, speed, odometer, battery, fuel, status) in rows.decode(
            (String, Int64, Double, Double, Double?, Double?, String).self)
        {
            try await body(
                ActivitySample(
                    vehicleID: vehicle, timeMillis: millis, speedMetersPerSecond: speed, odometerMeters: odometer, batteryPct: battery,
                    fuelPct: fuel, status: status))
        }
    }

    private static func binds(_ values: Int64...) throws -> PostgresBindings {
        var bindings = PostgresBindings()
        for value in values { bindings.append(value) }
        return bindings
    }

    func claimReport(id: String, kind: String, title: String, tag: String?, period: ReportPeriod) async throws -> Bool {
        let rows = try await client.query(
            """
            INSERT INTO \(unescaped: schema).reports (id, kind, title, tag, from_ms, to_ms, status)
            VALUES (\(id), \(kind), \(title), \(tag), \(period.fromMillis), \(period.toMillis), 'generating')
            ON CONFLICT DO NOTHING
            RETURNING 1
            """, logger: logger)
        for try await _ in rows { return true }
        return false
    }

    func completeReport(id: String, vehicles: Int, unavailable: [String], files: [ReportResource.File], event: OutboxEventDraft) async throws {
        let filesJSON = String(decoding: try JSONEncoder().encode(files), as: UTF8.self)
        let s = schema
        let message = try OutboxMessage(
            event: FleetEvent(
                id: .random(), type: .reportReady, severity: .info, vehicleID: nil, timeMillis: TimestampPolicy.millis(from: .now),
                attributes: event.attributes))
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query(
                """
                UPDATE \(unescaped: s).reports SET status = 'ready', vehicles = \(Int32(vehicles)), unavailable = \(unavailable)::text[],
                  files = \(filesJSON)::jsonb, generated_at = now()
                WHERE id = \(id)
                """, logger: logger)
            try await outbox.enqueue([message], on: connection)
        }
    }

    func abandonReport(id: String) async throws {
        try await client.query(
            "DELETE FROM \(unescaped: schema).reports WHERE id = \(id) AND status = 'generating'", logger: logger)
    }

    private var reportColumns: String {
        "id, title, kind, tag, from_ms, to_ms, status, generated_at, vehicles, unavailable, files::text"
    }

    private func decodeReports(_ rows: PostgresRowSequence) async throws -> [ReportResource] {
        var result: [ReportResource] = []
        for try await row in rows {
            let r = row.makeRandomAccess()
            let id = try r[0].decode(String.self)
            let from = try r[4].decode(Int64.self), to = try r[5].decode(Int64.self)
            let files = try JSONDecoder().decode([ReportResource.File].self, from: Data(try r[10].decode(String.self).utf8))
            result.append(
                ReportResource(
                    id: id, title: try r[1].decode(String.self), kind: try r[2].decode(String.self), tag: try r[3].decode(String?.self),
                    from: Self.iso(TimestampPolicy.date(fromMillis: from)), to: Self.iso(TimestampPolicy.date(fromMillis: to)),
                    fromMillis: from, toMillis: to, status: try r[6].decode(String.self),
                    generatedAt: try r[7].decode(Date?.self).map(Self.iso), vehicles: try r[8].decode(Int32?.self).map(Int.init),
                    unavailable: try r[9].decode([String].self), files: files))
        }
        return result
    }

    func reports(limit: Int) async throws -> [ReportResource] {
        let rows = try await client.query(
            """
            SELECT \(unescaped: reportColumns) FROM \(unescaped: schema).reports WHERE status = 'ready'
            ORDER BY created_at DESC, id LIMIT \(limit)
            """, logger: logger)
        return try await decodeReports(rows)
    }

    func weeklyReport(fromMillis: Int64, tag: String?) async throws -> ReportResource? {
        let rows = try await client.query(
            """
            SELECT \(unescaped: reportColumns) FROM \(unescaped: schema).reports
            WHERE kind = 'weekly' AND from_ms = \(fromMillis) AND coalesce(tag, '') = coalesce(\(tag)::text, '')
            """, logger: logger)
        return try await decodeReports(rows).first
    }

    func report(id: String) async throws -> ReportResource? {
        let rows = try await client.query(
            "SELECT \(unescaped: reportColumns) FROM \(unescaped: schema).reports WHERE id = \(id)", logger: logger)
        return try await decodeReports(rows).first
    }
}
