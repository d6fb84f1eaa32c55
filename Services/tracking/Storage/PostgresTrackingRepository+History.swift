import FleetCore
import FleetService
import Foundation
import NIOCore
import PostgresNIO

extension PostgresTrackingRepository {
    /// Registers generated vehicles with their tags (tags replaced when the vehicle exists).
    func registerGenerated(_ vehicles: [(id: String, tags: [String])]) async throws {
        let ids = vehicles.map(\.id)
        let tags = vehicles.map { $0.tags.joined(separator: ",") }
        try await client.query(
            """
            INSERT INTO \(unescaped: schema).vehicles AS cur (id, tags, auto_registered)
            SELECT v, string_to_array(NULLIF(t, ''), ','), false FROM unnest(\(ids)::text[], \(tags)::text[]) AS g(v, t)
            ON CONFLICT (id) DO UPDATE SET tags = EXCLUDED.tags
            """, logger: logger)
    }

    /// Writes rows with COPY (through a session-local staging table, whose microsecond times become `timestamptz`
    /// exactly); rows already present are kept. The partitions must exist.
    func copyRows(_ rows: [ArchivedRow]) async throws {
        guard !rows.isEmpty else { return }
        let s = schema
        try await client.withConnection { connection in
            try await connection.query(
                """
                CREATE TEMP TABLE IF NOT EXISTS fleet_history_staging (vehicle_id text, seq int8, device_us int8, received_us int8,
                  lat float8, lon float8, accuracy_m real, speed_mps real, heading_deg real, odometer_m float8, battery_pct real,
                  fuel_pct real, engine_temp_c real, rpm real, status text, fault_codes text[])
                """, logger: logger)
            try await connection.query("TRUNCATE fleet_history_staging", logger: logger)
            try await connection.copyFrom(table: "fleet_history_staging", logger: logger) { writer in
                var buffer = ByteBuffer()
                buffer.reserveCapacity(1 << 20)
                for row in rows {
                    Self.appendCopyLine(row, to: &buffer)
                    if buffer.readableBytes >= 1 << 20 {
                        try await writer.write(buffer)
                        buffer.clear()
                    }
                }
                if buffer.readableBytes > 0 { try await writer.write(buffer) }
            }
            try await connection.query(
                """
                INSERT INTO \(unescaped: s).telemetry (vehicle_id, seq, device_time, received_at, lat, lon, accuracy_m, speed_mps,
                  heading_deg, odometer_m, battery_pct, fuel_pct, engine_temp_c, rpm, status, fault_codes)
                SELECT vehicle_id, seq, timestamptz 'epoch' + device_us * interval '1 microsecond',
                  timestamptz 'epoch' + received_us * interval '1 microsecond', lat, lon, accuracy_m, speed_mps, heading_deg,
                  odometer_m, battery_pct, fuel_pct, engine_temp_c, rpm, status, fault_codes
                FROM fleet_history_staging
                ON CONFLICT DO NOTHING
                """, logger: logger)
        }
    }

    /// One line of COPY's text format (tab-separated, `\N` for NULL). Generated values hold no tab, newline or backslash.
    static func appendCopyLine(_ row: ArchivedRow, to buffer: inout ByteBuffer) {
        func field(_ text: String) {
            buffer.writeString(text)
            buffer.writeInteger(UInt8(ascii: "\t"))
        }
        func optional<T>(_ value: T?) { field(value.map { "\($0)" } ?? "\\N") }
        field(row.vehicleID)
        field("\(row.seq)")
        field("\(row.deviceTimeMicros)")
        field("\(row.receivedAtMicros)")
        field("\(row.lat)")
        field("\(row.lon)")
        optional(row.accuracyM)
        field("\(row.speedMps)")
        field("\(row.headingDeg)")
        field("\(row.odometerM)")
        optional(row.batteryPct)
        optional(row.fuelPct)
        optional(row.engineTempC)
        optional(row.rpm)
        field(row.status)
        buffer.writeString(row.faultCodes.map { "{" + $0.joined(separator: ",") + "}" } ?? "\\N")
        buffer.writeInteger(UInt8(ascii: "\n"))
    }
}
