import FleetCore
import FleetService
import Foundation
import PostgresNIO

extension PostgresTrackingRepository: ArchiveRepository {
    private var ledgerColumns: String {
        """
        a.day::text, a.state, a.manifest_key, a.rows, a.bytes, a.parts, a.archived_at, a.dropped_at, a.restored_at,
        a.restored_until, a.last_error
        """
    }

    private func decodeLedger(_ rows: PostgresRowSequence) async throws -> [ArchiveDayRecord] {
        let partitions = Set(try await partitionNames())
        var records: [ArchiveDayRecord] = []
        for try await row in rows {
            let r = row.makeRandomAccess()
            let day = try r[0].decode(String.self)
            let state = try r[1].decode(String.self)
            let restoredUntil = try r[9].decode(Date?.self)
            records.append(
                ArchiveDayRecord(
                    day: day, state: ArchiveDayRecord.State(rawValue: state) ?? .pending, manifestKey: try r[2].decode(String?.self),
                    rows: try r[3].decode(Int64?.self), bytes: try r[4].decode(Int64?.self), parts: try r[5].decode(Int32?.self).map(Int.init),
                    archivedAt: try r[6].decode(Date?.self).map(Self.iso), droppedAt: try r[7].decode(Date?.self).map(Self.iso),
                    restoredAt: try r[8].decode(Date?.self).map(Self.iso), restoredUntil: restoredUntil.map(Self.iso),
                    hot: ArchiveDay(iso: day).map { partitions.contains($0.partition) } ?? false,
                    lastError: try r[10].decode(String?.self), restoredUntilMillis: restoredUntil.map(Self.millis)))
        }
        return records
    }

    func claimArchiveDay(_ day: ArchiveDay, owner: String, leaseSeconds: Int) async throws -> ArchiveDayRecord? {
        let rows = try await client.query(
            """
            INSERT INTO \(unescaped: schema).archive_days AS a (day, lease_owner, lease_until)
            VALUES (\(day.iso)::date, \(owner), now() + make_interval(secs => \(leaseSeconds)))
            ON CONFLICT (day) DO UPDATE SET lease_owner = EXCLUDED.lease_owner, lease_until = EXCLUDED.lease_until,
              updated_at = now()
            WHERE a.lease_until IS NULL OR a.lease_until < now() OR a.lease_owner = EXCLUDED.lease_owner
            RETURNING \(unescaped: ledgerColumns)
            """, logger: logger)
        return try await decodeLedger(rows).first
    }

    func releaseArchiveDay(_ day: ArchiveDay, owner: String, error: String?) async throws {
        try await client.query(
            """
            UPDATE \(unescaped: schema).archive_days SET lease_owner = NULL, lease_until = NULL, last_error = \(error),
              updated_at = now()
            WHERE day = \(day.iso)::date AND lease_owner = \(owner)
            """, logger: logger)
    }

    func archiveDays(from: ArchiveDay?, to: ArchiveDay?) async throws -> [ArchiveDayRecord] {
        let rows = try await client.query(
            """
            SELECT \(unescaped: ledgerColumns) FROM \(unescaped: schema).archive_days a
            WHERE (\(from?.iso)::date IS NULL OR a.day >= \(from?.iso)::date)
              AND (\(to?.iso)::date IS NULL OR a.day <= \(to?.iso)::date)
            ORDER BY a.day
            """, logger: logger)
        return try await decodeLedger(rows)
    }

    func partitionExists(_ day: ArchiveDay) async throws -> Bool {
        try await partitionNames().contains(day.partition)
    }

    func partitionRowCount(_ day: ArchiveDay) async throws -> Int {
        let rows = try await client.query(
            PostgresQuery(unsafeSQL: "SELECT count(*)::int8 FROM \(schema).\(day.partition)"), logger: logger)
        for try await count in rows.decode(Int64.self) { return Int(count) }
        return 0
    }

    func streamPartition(_ day: ArchiveDay, _ body: (ArchivedRow) async throws -> Void) async throws {
        // The row sequence streams with back-pressure: the archive's uploads pace the read.
        let rows = try await client.query(
            PostgresQuery(
                unsafeSQL: """
                    SELECT vehicle_id, seq, (extract(epoch FROM device_time) * 1000000)::int8,
                      (extract(epoch FROM received_at) * 1000000)::int8, lat, lon, accuracy_m, speed_mps, heading_deg, odometer_m,
                      battery_pct, fuel_pct, engine_temp_c, rpm, status, fault_codes
                    FROM \(schema).\(day.partition)
                    ORDER BY vehicle_id COLLATE "C", device_time, seq
                    """), logger: logger)
        for try await row in rows {
            let r = row.makeRandomAccess()
            try await body(
                ArchivedRow(
                    vehicleID: try r[0].decode(String.self), seq: try r[1].decode(Int64.self),
                    deviceTimeMicros: try r[2].decode(Int64.self), receivedAtMicros: try r[3].decode(Int64.self),
                    lat: try r[4].decode(Double.self), lon: try r[5].decode(Double.self), accuracyM: try r[6].decode(Float?.self),
                    speedMps: try r[7].decode(Float.self), headingDeg: try r[8].decode(Float.self), odometerM: try r[9].decode(Double.self),
                    batteryPct: try r[10].decode(Float?.self), fuelPct: try r[11].decode(Float?.self),
                    engineTempC: try r[12].decode(Float?.self), rpm: try r[13].decode(Float?.self), status: try r[14].decode(String.self),
                    faultCodes: try r[15].decode([String]?.self)))
        }
    }

    func markArchived(_ day: ArchiveDay, manifestKey: String, rows: Int, bytes: Int, parts: Int) async throws {
        try await client.query(
            """
            UPDATE \(unescaped: schema).archive_days SET state = CASE WHEN state = 'restored' THEN 'restored' ELSE 'archived' END,
              manifest_key = \(manifestKey), rows = \(Int64(rows)), bytes = \(Int64(bytes)), parts = \(Int32(parts)),
              archived_at = now(), last_error = NULL, updated_at = now()
            WHERE day = \(day.iso)::date
            """, logger: logger)
    }

    func dropArchivedPartition(_ day: ArchiveDay, expectedRows: Int) async throws -> Bool {
        let s = schema
        return try await client.withTransaction(logger: logger) { connection in
            // No row can arrive between the count and the drop.
            try await connection.query(
                PostgresQuery(unsafeSQL: "LOCK TABLE \(s).\(day.partition) IN ACCESS EXCLUSIVE MODE"), logger: logger)
            let counted = try await connection.query(
                PostgresQuery(unsafeSQL: "SELECT count(*)::int8 FROM \(s).\(day.partition)"), logger: logger)
            var rows: Int64 = -1
            for try await count in counted.decode(Int64.self) { rows = count }
            guard rows == Int64(expectedRows) else { return false }
            try await connection.query(PostgresQuery(unsafeSQL: "DROP TABLE \(s).\(day.partition)"), logger: logger)
            try await connection.query(
                """
                UPDATE \(unescaped: s).archive_days SET state = 'dropped', dropped_at = now(), restored_until = NULL,
                  updated_at = now()
                WHERE day = \(day.iso)::date
                """, logger: logger)
            return true
        }
    }

    func ensurePartition(_ day: ArchiveDay) async throws {
        _ = try await ensurePartitions(fromMillis: day.startMillis, toMillis: day.startMillis)
    }

    func insertArchivedRows(_ rows: [ArchivedRow]) async throws -> Int {
        guard !rows.isEmpty else { return 0 }
        func value(_ x: Float?) -> Double { x.map(Double.init) ?? .nan }
        let vehicles = rows.map(\.vehicleID), seqs = rows.map(\.seq), device = rows.map(\.deviceTimeMicros)
        let received = rows.map(\.receivedAtMicros), lats = rows.map(\.lat), lons = rows.map(\.lon)
        let accuracies = rows.map { value($0.accuracyM) }, speeds = rows.map { Double($0.speedMps) }
        let headings = rows.map { Double($0.headingDeg) }, odometers = rows.map(\.odometerM)
        let batteries = rows.map { value($0.batteryPct) }, fuels = rows.map { value($0.fuelPct) }
        let temperatures = rows.map { value($0.engineTempC) }, rpms = rows.map { value($0.rpm) }
        let statuses = rows.map(\.status)
        // NULL and an empty list are both stored as NULL by ingest; '' marks them here.
        let faults = rows.map { $0.faultCodes?.joined(separator: ",") ?? "" }
        let inserted = try await client.query(
            """
            INSERT INTO \(unescaped: schema).telemetry (vehicle_id, seq, device_time, received_at, lat, lon, accuracy_m,
              speed_mps, heading_deg, odometer_m, battery_pct, fuel_pct, engine_temp_c, rpm, status, fault_codes)
            SELECT v, q, timestamptz 'epoch' + d * interval '1 microsecond', timestamptz 'epoch' + r * interval '1 microsecond',
              la, lo, NULLIF(ac, 'NaN'), sp, hd, od, NULLIF(ba, 'NaN'), NULLIF(fu, 'NaN'), NULLIF(te, 'NaN'), NULLIF(rp, 'NaN'), st,
              string_to_array(NULLIF(fc, ''), ',')
            FROM unnest(\(vehicles)::text[], \(seqs)::int8[], \(device)::int8[], \(received)::int8[], \(lats)::float8[],
              \(lons)::float8[], \(accuracies)::float8[], \(speeds)::float8[], \(headings)::float8[], \(odometers)::float8[],
              \(batteries)::float8[], \(fuels)::float8[], \(temperatures)::float8[], \(rpms)::float8[], \(statuses)::text[],
              \(faults)::text[])
              AS t(v, q, d, r, la, lo, ac, sp, hd, od, ba, fu, te, rp, st, fc)
            ON CONFLICT DO NOTHING
            RETURNING 1
            """, logger: logger)
        var count = 0
        for try await _ in inserted { count += 1 }
        return count
    }

    func markRestored(_ day: ArchiveDay, untilMillis: Int64) async throws {
        try await client.query(
            """
            UPDATE \(unescaped: schema).archive_days SET state = 'restored', restored_at = now(),
              restored_until = to_timestamp(\(untilMillis) / 1000.0), updated_at = now()
            WHERE day = \(day.iso)::date
            """, logger: logger)
    }

    func expiredPartitionDays(endingBefore beforeMillis: Int64) async throws -> [ArchiveDay] {
        try await partitionNames().compactMap(Self.day(ofPartition:)).filter { $0.endMillis <= beforeMillis }.sorted()
    }

    func dropPartitionUnarchived(_ day: ArchiveDay) async throws {
        try await client.query(PostgresQuery(unsafeSQL: "DROP TABLE IF EXISTS \(schema).\(day.partition)"), logger: logger)
    }

    /// The day of a `telemetry_YYYYMMDD` partition name.
    static func day(ofPartition name: String) -> ArchiveDay? {
        let digits = name.dropFirst("telemetry_".count)
        guard name.hasPrefix("telemetry_"), digits.count == 8 else { return nil }
        return ArchiveDay(iso: "\(digits.prefix(4))-\(digits.dropFirst(4).prefix(2))-\(digits.suffix(2))")
    }
}
