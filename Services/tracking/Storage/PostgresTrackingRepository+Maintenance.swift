import FleetCore
import FleetService
import Foundation
import PostgresNIO

extension PostgresTrackingRepository {
    private static let dayMillis: Int64 = 86_400_000

    /// `telemetry_YYYYMMDD` for the UTC day starting at `dayStartMillis`.
    static func partitionName(dayStartMillis: Int64) -> String {
        let date = Date(timeIntervalSince1970: Double(dayStartMillis) / 1000)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "telemetry_%04d%02d%02d", c.year!, c.month!, c.day!)
    }

    func ensurePartitions(fromMillis: Int64, toMillis: Int64) async throws -> [String] {
        var created: [String] = []
        var day = (fromMillis / Self.dayMillis) * Self.dayMillis
        let existing = Set(try await partitions().map(\.name))
        while day <= toMillis {
            let name = Self.partitionName(dayStartMillis: day)
            if !existing.contains(name) {
                // Another replica may create it at the same moment; IF NOT EXISTS makes that harmless.
                try await client.query(
                    PostgresQuery(
                        unsafeSQL: """
                            CREATE TABLE IF NOT EXISTS \(schema).\(name) PARTITION OF \(schema).telemetry
                            FOR VALUES FROM ('\(isoDay(day))') TO ('\(isoDay(day + Self.dayMillis))')
                            """), logger: logger)
                created.append(name)
            }
            day += Self.dayMillis
        }
        return created
    }

    /// The telemetry partitions with the end of their range.
    private func partitions() async throws -> [(name: String, endMillis: Int64)] {
        try await partitionNames().compactMap { name in Self.day(ofPartition: name).map { (name, $0.endMillis) } }
    }

    /// Names of the telemetry table's partitions.
    func partitionNames() async throws -> [String] {
        let rows = try await client.query(
            """
            SELECT c.relname FROM pg_inherits i
            JOIN pg_class c ON c.oid = i.inhrelid
            JOIN pg_class p ON p.oid = i.inhparent
            JOIN pg_namespace n ON n.oid = p.relnamespace
            WHERE n.nspname = \(schema) AND p.relname = 'telemetry'
            """, logger: logger)
        var names: [String] = []
        for try await name in rows.decode(String.self) { names.append(name) }
        return names
    }

    private func isoDay(_ millis: Int64) -> String {
        let name = Self.partitionName(dayStartMillis: millis).dropFirst("telemetry_".count)
        return "\(name.prefix(4))-\(name.dropFirst(4).prefix(2))-\(name.suffix(2)) 00:00:00+00"
    }

    /// `sequence_gap` events for skipped gaps.
    static func gapEvents(_ gaps: [(vehicleID: String, skippedFrom: Int64, committed: Int64)]) -> [FleetEvent] {
        let now = TimestampPolicy.millis(from: .now)
        return gaps.compactMap { gap in
            guard let vehicle = try? VehicleID(gap.vehicleID) else { return nil }
            return FleetEvent(
                id: .random(), type: .sequenceGap, severity: .warning, vehicleID: vehicle, timeMillis: now,
                attributes: ["missing_from": "\(gap.skippedFrom)", "committed": "\(gap.committed)"])
        }
    }

    func skipStaleGaps(olderThanSeconds: Int) async throws -> [(vehicleID: String, skippedFrom: Int64, committed: Int64)] {
        let s = schema
        return try await client.withTransaction(logger: logger) { connection in
            // Vehicles whose stored-but-uncommitted sequences have waited too long for the missing ones.
            let stale = try await connection.query(
                """
                SELECT vehicle_id, committed_seq, pending, skipped FROM \(unescaped: s).commit_watermarks
                WHERE pending_since < now() - make_interval(secs => \(olderThanSeconds))
                ORDER BY vehicle_id
                FOR UPDATE
                """, logger: logger)
            var gaps: [(vehicleID: String, skippedFrom: Int64, committed: Int64)] = []
            var vehicles: [String] = [], committed: [Int64] = [], pending: [String] = [], skipped: [String] = []
            for try await (vehicle, seq, parked, given) in stale.decode((String, Int64, [Int64], [Int64]).self) {
                var watermark = CommitWatermark(committed: seq, pending: parked, skipped: CommitWatermark.ranges(flat: given))
                guard watermark.skipGap() else { continue }
                gaps.append((vehicle, seq + 1, watermark.committed))
                vehicles.append(vehicle)
                committed.append(watermark.committed)
                pending.append(watermark.pendingList)
                skipped.append(watermark.skippedList)
            }
            guard !gaps.isEmpty else { return [] }
            // A further gap starts its own timeout now.
            try await connection.query(
                """
                UPDATE \(unescaped: s).commit_watermarks w SET committed_seq = g.c,
                  pending = coalesce(string_to_array(NULLIF(g.p, ''), ',')::int8[], '{}'),
                  skipped = coalesce(string_to_array(NULLIF(g.k, ''), ',')::int8[], '{}'),
                  pending_since = CASE WHEN g.p = '' THEN NULL ELSE now() END, updated_at = now()
                FROM unnest(\(vehicles)::text[], \(committed)::int8[], \(pending)::text[], \(skipped)::text[]) AS g(v, c, p, k)
                WHERE w.vehicle_id = g.v
                """, logger: logger)
            try await outbox.enqueue(try Self.gapEvents(gaps).map(OutboxMessage.init(event:)), on: connection)
            return gaps
        }
    }
}
