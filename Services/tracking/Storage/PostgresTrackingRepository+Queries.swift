import FleetCore
import FleetService
import Foundation
import PostgresNIO

extension PostgresTrackingRepository {
    func registerVehicle(_ registration: VehicleRegistration) async throws -> VehicleRecord {
        let tags = registration.tags ?? []
        let limit = registration.speedLimitKmh.map { $0 / 3.6 }
        try await client.query(
            """
            INSERT INTO \(unescaped: schema).vehicles AS cur (id, tags, speed_limit_mps, auto_registered)
            VALUES (\(registration.id), \(tags)::text[], \(limit), false)
            ON CONFLICT (id) DO UPDATE SET tags = EXCLUDED.tags, speed_limit_mps = EXCLUDED.speed_limit_mps,
              auto_registered = false
            """, logger: logger)
        // Just written in the same call; absent only if it was deleted in between.
        guard let record = try await vehicle(registration.id) else {
            return VehicleRecord(
                id: registration.id, tags: tags, speedLimitKmh: registration.speedLimitKmh, autoRegistered: false,
                registeredAt: Self.iso(Date()), connectivity: "unknown", lastSeen: nil, committedSeq: nil, latest: nil)
        }
        return record
    }

    /// The columns `VehicleRecord` is decoded from, in order.
    private var vehicleColumns: String {
        """
        v.id, v.tags, v.speed_limit_mps, v.auto_registered, v.registered_at, c.online, c.last_seen, w.committed_seq,
        l.seq, l.device_time, l.received_at, l.lat, l.lon, l.speed_mps::float8, l.heading_deg::float8, l.odometer_m,
        l.battery_pct::float8, l.fuel_pct::float8, l.status, l.moving, l.overspeed, l.geofences
        """
    }

    private var vehicleJoins: String {
        """
        FROM \(schema).vehicles v
        LEFT JOIN \(schema).vehicle_latest l ON l.vehicle_id = v.id
        LEFT JOIN \(schema).vehicle_connectivity c ON c.vehicle_id = v.id
        LEFT JOIN \(schema).commit_watermarks w ON w.vehicle_id = v.id
        """
    }

    private func decodeVehicles(_ rows: PostgresRowSequence) async throws -> [VehicleRecord] {
        var records: [VehicleRecord] = []
        for try await row in rows {
            let r = row.makeRandomAccess()
            var record = VehicleRecord(
                id: try r[0].decode(String.self),
                tags: try r[1].decode([String].self),
                speedLimitKmh: try r[2].decode(Double?.self).map { ($0 * 3.6 * 10).rounded() / 10 },
                autoRegistered: try r[3].decode(Bool.self),
                registeredAt: Self.iso(try r[4].decode(Date.self)),
                connectivity: try r[5].decode(Bool?.self).map { $0 ? "online" : "offline" } ?? "unknown",
                lastSeen: try r[6].decode(Date?.self).map(Self.iso),
                committedSeq: try r[7].decode(Int64?.self),
                latest: nil
            )
            if let seq = try r[8].decode(Int64?.self) {
                let deviceTime = try r[9].decode(Date.self)
                record.latest = VehicleRecord.Latest(
                    seq: seq,
                    deviceTime: Self.iso(deviceTime),
                    deviceTimeMs: Self.millis(deviceTime),
                    receivedAt: Self.iso(try r[10].decode(Date.self)),
                    lat: try r[11].decode(Double.self),
                    lon: try r[12].decode(Double.self),
                    speedMps: try r[13].decode(Double.self),
                    headingDeg: try r[14].decode(Double.self),
                    odometerM: try r[15].decode(Double.self),
                    batteryPct: try r[16].decode(Double?.self),
                    fuelPct: try r[17].decode(Double?.self),
                    status: try r[18].decode(String.self),
                    moving: try r[19].decode(Bool.self),
                    overspeed: try r[20].decode(Bool.self),
                    geofences: try r[21].decode([String].self)
                )
            }
            records.append(record)
        }
        return records
    }

    func vehicles(_ query: VehicleQuery) async throws -> [VehicleRecord] {
        let box = query.boundingBox
        let rows = try await client.query(
            """
            SELECT \(unescaped: vehicleColumns) \(unescaped: vehicleJoins)
            WHERE (\(query.after)::text IS NULL OR v.id > \(query.after)::text)
              AND (\(query.status)::text IS NULL OR l.status = \(query.status)::text)
              AND (\(query.tag)::text IS NULL OR v.tags @> ARRAY[\(query.tag)::text])
              AND (\(query.online)::bool IS NULL OR coalesce(c.online, false) = \(query.online)::bool)
              AND (\(box?.minLatitude)::float8 IS NULL OR (l.lat BETWEEN \(box?.minLatitude)::float8 AND \(box?.maxLatitude)::float8
                   AND l.lon BETWEEN \(box?.minLongitude)::float8 AND \(box?.maxLongitude)::float8))
            ORDER BY v.id
            LIMIT \(query.limit)
            """, logger: logger)
        return try await decodeVehicles(rows)
    }

    func vehicle(_ id: String) async throws -> VehicleRecord? {
        let rows = try await client.query(
            "SELECT \(unescaped: vehicleColumns) \(unescaped: vehicleJoins) WHERE v.id = \(id)", logger: logger)
        return try await decodeVehicles(rows).first
    }

    func positions(vehicleID: String, fromMillis: Int64, toMillis: Int64, limit: Int) async throws -> [PositionSample] {
        let rows = try await client.query(
            """
            SELECT seq, device_time, lat, lon, speed_mps::float8, heading_deg::float8, odometer_m, status
            FROM \(unescaped: schema).telemetry
            WHERE vehicle_id = \(vehicleID)
              AND device_time >= to_timestamp(\(fromMillis) / 1000.0) AND device_time <= to_timestamp(\(toMillis) / 1000.0)
            ORDER BY device_time, seq
            LIMIT \(limit)
            """, logger: logger)
        var samples: [PositionSample] = []
        for try await (seq, time, lat, lon, speed, heading, odometer, status) in rows.decode(
            (Int64, Date, Double, Double, Double, Double, Double, String).self)
        {
            samples.append(
                PositionSample(
                    seq: seq, deviceTimeMillis: Self.millis(time), latitude: lat, longitude: lon, speedMetersPerSecond: speed,
                    headingDegrees: heading, odometerMeters: odometer, status: status))
        }
        return samples
    }

    func summary(nowMillis: Int64) async throws -> FleetSummary {
        let s = schema
        var summary = FleetSummary(
            vehicles: 0, online: 0, offline: 0, unknownConnectivity: 0, byStatus: [:], moving: 0, overspeed: 0,
            stalestOnlineSeconds: nil, generatedAt: Self.iso(TimestampPolicy.date(fromMillis: nowMillis)))
        let counts = try await client.query(
            """
            SELECT count(*)::int8, count(*) FILTER (WHERE c.online)::int8, count(*) FILTER (WHERE NOT c.online)::int8,
              count(*) FILTER (WHERE c.online IS NULL)::int8, count(*) FILTER (WHERE l.moving)::int8,
              count(*) FILTER (WHERE l.overspeed)::int8,
              extract(epoch FROM to_timestamp(\(nowMillis) / 1000.0) - min(l.device_time) FILTER (WHERE c.online))::float8
            FROM \(unescaped: s).vehicles v
            LEFT JOIN \(unescaped: s).vehicle_latest l ON l.vehicle_id = v.id
            LEFT JOIN \(unescaped: s).vehicle_connectivity c ON c.vehicle_id = v.id
            """, logger: logger)
        for try await (total, online, offline, unknown, moving, overspeed, stalest) in counts.decode(
            (Int64, Int64, Int64, Int64, Int64, Int64, Double?).self)
        {
            summary.vehicles = Int(total)
            summary.online = Int(online)
            summary.offline = Int(offline)
            summary.unknownConnectivity = Int(unknown)
            summary.moving = Int(moving)
            summary.overspeed = Int(overspeed)
            summary.stalestOnlineSeconds = stalest.map { max(0, $0) }
        }
        let statuses = try await client.query(
            "SELECT status, count(*)::int8 FROM \(unescaped: s).vehicle_latest GROUP BY status", logger: logger)
        for try await (status, count) in statuses.decode((String, Int64).self) {
            summary.byStatus[status] = Int(count)
        }
        return summary
    }

    func deadLetters(limit: Int, reason: String?) async throws -> [DeadLetterRecord] {
        let rows = try await client.query(
            """
            SELECT id, received_at, source, topic, vehicle_id, reason, detail, encode(payload, 'base64')
            FROM \(unescaped: schema).dead_letters
            WHERE \(reason)::text IS NULL OR reason = \(reason)::text
            ORDER BY id DESC LIMIT \(limit)
            """, logger: logger)
        var records: [DeadLetterRecord] = []
        for try await (id, received, source, topic, vehicle, reason, detail, payload) in rows.decode(
            (Int64, Date, String, String?, String?, String, String, String).self)
        {
            records.append(
                DeadLetterRecord(
                    id: id, receivedAt: Self.iso(received), source: source, topic: topic, vehicleId: vehicle, reason: reason,
                    detail: detail, payload: payload.replacingOccurrences(of: "\n", with: "")))
        }
        return records
    }
}
