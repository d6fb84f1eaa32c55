import Foundation
import PostgresNIO

extension PostgresTrackingRepository {
    func store(_ batch: TelemetryBatch, register: [String], defaultSpeedLimit: Double, movingThreshold: Double) async throws -> StoreResult {
        guard !batch.isEmpty else { return StoreResult() }
        let s = schema
        let vehicles = batch.distinctVehicles
        return try await client.withTransaction(logger: logger) { connection in
            var result = StoreResult()
            if !register.isEmpty {
                try await connection.query(
                    """
                    INSERT INTO \(unescaped: s).vehicles (id, auto_registered)
                    SELECT v, true FROM unnest(\(register)::text[]) AS v ORDER BY v
                    ON CONFLICT (id) DO NOTHING
                    """, logger: logger)
            }

            // 1. Raw rows; a replay hits the primary key and is skipped.
            let inserted = try await connection.query(
                """
                WITH ins AS (
                  INSERT INTO \(unescaped: s).telemetry (vehicle_id, seq, device_time, received_at, lat, lon, accuracy_m,
                    speed_mps, heading_deg, odometer_m, battery_pct, fuel_pct, engine_temp_c, rpm, status, fault_codes)
                  SELECT v, q, to_timestamp(d / 1000.0), to_timestamp(r / 1000.0), la, lo, NULLIF(ac, 'NaN'),
                    sp, hd, od, NULLIF(ba, 'NaN'), NULLIF(fu, 'NaN'), NULLIF(te, 'NaN'), NULLIF(rp, 'NaN'), st,
                    string_to_array(NULLIF(fc, ''), ',')
                  FROM unnest(\(batch.vehicles)::text[], \(batch.sequences)::int8[], \(batch.deviceMillis)::int8[],
                    \(batch.receivedMillis)::int8[], \(batch.latitudes)::float8[], \(batch.longitudes)::float8[],
                    \(batch.accuracies)::float8[], \(batch.speeds)::float8[], \(batch.headings)::float8[],
                    \(batch.odometers)::float8[], \(batch.batteries)::float8[], \(batch.fuels)::float8[],
                    \(batch.temperatures)::float8[], \(batch.rpms)::float8[], \(batch.statuses)::text[], \(batch.faultCodes)::text[])
                    AS t(v, q, d, r, la, lo, ac, sp, hd, od, ba, fu, te, rp, st, fc)
                  ON CONFLICT DO NOTHING
                  RETURNING 1
                )
                SELECT count(*)::int8 FROM ins
                """, logger: logger)
            for try await count in inserted.decode(Int64.self) {
                result.inserted = Int(count)
            }
            result.duplicates = batch.count - result.inserted

            // 2. Latest state (newest device time wins) and the flags events are derived from. The old row is
            //    locked first, so two replicas see each transition exactly once.
            let transitions = try await connection.query(
                """
                WITH new AS (
                  SELECT DISTINCT ON (v) v, q, d, r, la, lo, sp, hd, od, ba, fu, st, gf
                  FROM unnest(\(batch.vehicles)::text[], \(batch.sequences)::int8[], \(batch.deviceMillis)::int8[],
                    \(batch.receivedMillis)::int8[], \(batch.latitudes)::float8[], \(batch.longitudes)::float8[],
                    \(batch.speeds)::float8[], \(batch.headings)::float8[], \(batch.odometers)::float8[],
                    \(batch.batteries)::float8[], \(batch.fuels)::float8[], \(batch.statuses)::text[], \(batch.geofences)::text[])
                    AS t(v, q, d, r, la, lo, sp, hd, od, ba, fu, st, gf)
                  ORDER BY v, d DESC, q DESC
                ), old AS (
                  SELECT l.vehicle_id, l.device_time, l.moving, l.overspeed, l.geofences
                  FROM \(unescaped: s).vehicle_latest l
                  WHERE l.vehicle_id = ANY(\(vehicles)::text[])
                  ORDER BY l.vehicle_id
                  FOR UPDATE
                ), calc AS (
                  SELECT new.*, old.vehicle_id IS NOT NULL AS had_old,
                    coalesce(old.moving, false) AS old_moving, coalesce(old.overspeed, false) AS old_overspeed,
                    coalesce(old.geofences, '{}') AS old_geofences,
                    coalesce(veh.speed_limit_mps, \(defaultSpeedLimit)::float8) AS lim
                  FROM new
                  LEFT JOIN old ON old.vehicle_id = new.v
                  LEFT JOIN \(unescaped: s).vehicles veh ON veh.id = new.v
                  WHERE old.device_time IS NULL OR to_timestamp(new.d / 1000.0) >= old.device_time
                ), flags AS (
                  SELECT calc.*,
                    CASE WHEN old_moving THEN sp >= \(movingThreshold)::float8 * 0.5 ELSE sp >= \(movingThreshold)::float8 END AS moving,
                    CASE WHEN old_overspeed THEN sp > lim * 0.9 ELSE sp > lim END AS overspeed,
                    coalesce(string_to_array(NULLIF(gf, ''), ','), '{}') AS fences
                  FROM calc
                ), up AS (
                  INSERT INTO \(unescaped: s).vehicle_latest AS cur (vehicle_id, seq, device_time, received_at, lat, lon, speed_mps,
                    heading_deg, odometer_m, battery_pct, fuel_pct, status, moving, overspeed, geofences)
                  SELECT v, q, to_timestamp(d / 1000.0), to_timestamp(r / 1000.0), la, lo, sp, hd, od,
                    NULLIF(ba, 'NaN'), NULLIF(fu, 'NaN'), st, moving, overspeed, fences
                  FROM flags ORDER BY v
                  ON CONFLICT (vehicle_id) DO UPDATE SET seq = EXCLUDED.seq, device_time = EXCLUDED.device_time,
                    received_at = EXCLUDED.received_at, lat = EXCLUDED.lat, lon = EXCLUDED.lon, speed_mps = EXCLUDED.speed_mps,
                    heading_deg = EXCLUDED.heading_deg, odometer_m = EXCLUDED.odometer_m, battery_pct = EXCLUDED.battery_pct,
                    fuel_pct = EXCLUDED.fuel_pct, status = EXCLUDED.status, moving = EXCLUDED.moving,
                    overspeed = EXCLUDED.overspeed, geofences = EXCLUDED.geofences
                  WHERE EXCLUDED.device_time >= cur.device_time
                  RETURNING vehicle_id
                )
                SELECT v, d, la, lo, sp, lim, had_old, old_moving, moving, old_overspeed, overspeed, old_geofences, fences
                FROM flags WHERE v IN (SELECT vehicle_id FROM up)
                """, logger: logger)
            for try await row in transitions.decode(
                (String, Int64, Double, Double, Double, Double, Bool, Bool, Bool, Bool, Bool, [String], [String]).self)
            {
                result.transitions.append(
                    VehicleTransition(
                        vehicleID: row.0, deviceTimeMillis: row.1, latitude: row.2, longitude: row.3,
                        speedMetersPerSecond: row.4, speedLimitMetersPerSecond: row.5, hadPrevious: row.6,
                        wasMoving: row.7, isMoving: row.8, wasOverspeed: row.9, isOverspeed: row.10,
                        previousGeofences: row.11, geofences: row.12))
            }

            // 3. Committed watermarks: the highest sequence below which nothing is missing.
            result.committed = try await advanceWatermarks(batch: batch, vehicles: vehicles, on: connection)
            return result
        }
    }

    /// Moves each vehicle's watermark over the contiguous run of stored sequences that follows it, and
    /// parks the stored sequences beyond a gap in `commit_pending`. Must run in the batch's transaction.
    ///
    /// The common case (a vehicle's sequences arrive in order) never touches `commit_pending`: the run is
    /// computed here from the locked watermark, the batch and whatever was already pending for the vehicle.
    private func advanceWatermarks(batch: TelemetryBatch, vehicles: [String], on connection: PostgresConnection) async throws -> [String: Int64] {
        let s = schema
        try await connection.query(
            """
            INSERT INTO \(unescaped: s).commit_watermarks (vehicle_id, committed_seq, updated_at)
            SELECT v, 0, now() FROM unnest(\(vehicles)::text[]) AS v ORDER BY v
            ON CONFLICT (vehicle_id) DO NOTHING
            """, logger: logger)
        var committed: [String: Int64] = [:]
        let locked = try await connection.query(
            """
            SELECT vehicle_id, committed_seq FROM \(unescaped: s).commit_watermarks
            WHERE vehicle_id = ANY(\(vehicles)::text[]) ORDER BY vehicle_id FOR UPDATE
            """, logger: logger)
        for try await (vehicle, seq) in locked.decode((String, Int64).self) {
            committed[vehicle] = seq
        }
        var pending: [String: Set<Int64>] = [:]
        let parked = try await connection.query(
            "SELECT vehicle_id, seq FROM \(unescaped: s).commit_pending WHERE vehicle_id = ANY(\(vehicles)::text[])", logger: logger)
        for try await (vehicle, seq) in parked.decode((String, Int64).self) {
            pending[vehicle, default: []].insert(seq)
        }
        var stored: [String: Set<Int64>] = [:]
        for (vehicle, seq) in zip(batch.vehicles, batch.sequences) where seq > committed[vehicle, default: 0] {
            stored[vehicle, default: []].insert(seq)
        }
        var advancedVehicles: [String] = [], advancedTo: [Int64] = []
        var clearVehicles: [String] = [], clearUpTo: [Int64] = []
        var parkVehicles: [String] = [], parkSequences: [Int64] = []
        for vehicle in vehicles {
            let old = committed[vehicle, default: 0]
            let before = pending[vehicle] ?? []
            let known = before.union(stored[vehicle] ?? [])
            var watermark = old
            while known.contains(watermark + 1) { watermark += 1 }
            if watermark != old {
                advancedVehicles.append(vehicle)
                advancedTo.append(watermark)
                committed[vehicle] = watermark
            }
            if !before.isEmpty && watermark != old {
                clearVehicles.append(vehicle)
                clearUpTo.append(watermark)
            }
            for seq in (stored[vehicle] ?? []) where seq > watermark && !before.contains(seq) {
                parkVehicles.append(vehicle)
                parkSequences.append(seq)
            }
        }
        if !advancedVehicles.isEmpty {
            try await connection.query(
                """
                UPDATE \(unescaped: s).commit_watermarks w SET committed_seq = u.seq, updated_at = now()
                FROM unnest(\(advancedVehicles)::text[], \(advancedTo)::int8[]) AS u(v, seq) WHERE w.vehicle_id = u.v
                """, logger: logger)
        }
        if !clearVehicles.isEmpty {
            try await connection.query(
                """
                DELETE FROM \(unescaped: s).commit_pending p USING unnest(\(clearVehicles)::text[], \(clearUpTo)::int8[]) AS u(v, seq)
                WHERE p.vehicle_id = u.v AND p.seq <= u.seq
                """, logger: logger)
        }
        if !parkVehicles.isEmpty {
            try await connection.query(
                """
                INSERT INTO \(unescaped: s).commit_pending (vehicle_id, seq, stored_at)
                SELECT v, seq, now() FROM unnest(\(parkVehicles)::text[], \(parkSequences)::int8[]) AS u(v, seq)
                ON CONFLICT DO NOTHING
                """, logger: logger)
        }
        return committed
    }

    /// Moves each listed vehicle's watermark over the contiguous pending run after it.
    /// Rows of `commit_watermarks` must be locked by the caller's transaction.
    func advance(_ vehicles: [String], on connection: PostgresConnection) async throws -> [(String, Int64)] {
        let s = schema
        // Pending sequences p(1) < p(2) < … continue the watermark w exactly while p(i) - i = w.
        let rows = try await connection.query(
            """
            WITH r AS (
              SELECT p.vehicle_id, p.seq, p.seq - row_number() OVER (PARTITION BY p.vehicle_id ORDER BY p.seq) AS d,
                w.committed_seq AS w
              FROM \(unescaped: s).commit_pending p JOIN \(unescaped: s).commit_watermarks w USING (vehicle_id)
              WHERE p.vehicle_id = ANY(\(vehicles)::text[])
            ), adv AS (
              SELECT vehicle_id, max(seq) AS nw FROM r WHERE d = w GROUP BY vehicle_id
            ), del AS (
              DELETE FROM \(unescaped: s).commit_pending p USING adv WHERE p.vehicle_id = adv.vehicle_id AND p.seq <= adv.nw
            )
            UPDATE \(unescaped: s).commit_watermarks w SET committed_seq = adv.nw, updated_at = now()
            FROM adv WHERE w.vehicle_id = adv.vehicle_id
            RETURNING w.vehicle_id, w.committed_seq
            """, logger: logger)
        var advanced: [(String, Int64)] = []
        for try await row in rows.decode((String, Int64).self) {
            advanced.append(row)
        }
        return advanced
    }

    func registeredVehicles(among vehicles: [String]) async throws -> Set<String> {
        let rows = try await client.query(
            "SELECT id FROM \(unescaped: schema).vehicles WHERE id = ANY(\(vehicles)::text[])", logger: logger)
        var found = Set<String>()
        for try await id in rows.decode(String.self) {
            found.insert(id)
        }
        return found
    }

    func recordRejections(_ rejections: [Rejection]) async throws {
        guard !rejections.isEmpty else { return }
        let received = rejections.map(\.receivedAtMillis)
        let sources = rejections.map(\.source.rawValue)
        let topics = rejections.map { $0.topic ?? "" }
        let vehicles = rejections.map { $0.vehicleID ?? "" }
        let reasons = rejections.map(\.reason.rawValue)
        let details = rejections.map(\.detail)
        // bytea[] is not bound directly; base64 text is decoded by PostgreSQL.
        let payloads = rejections.map { Data($0.payload).base64EncodedString() }
        try await client.query(
            """
            INSERT INTO \(unescaped: schema).dead_letters (received_at, source, topic, vehicle_id, reason, detail, payload)
            SELECT to_timestamp(r / 1000.0), so, NULLIF(t, ''), NULLIF(v, ''), re, de, decode(p, 'base64')
            FROM unnest(\(received)::int8[], \(sources)::text[], \(topics)::text[], \(vehicles)::text[], \(reasons)::text[],
              \(details)::text[], \(payloads)::text[]) AS x(r, so, t, v, re, de, p)
            """, logger: logger)
    }

    func updateConnectivity(vehicleID: String, online: Bool, lastSeenMillis: Int64) async throws -> Bool {
        // Only a report newer than the stored one counts; a change of `online` is a transition.
        let rows = try await client.query(
            """
            WITH old AS (
              SELECT online FROM \(unescaped: schema).vehicle_connectivity WHERE vehicle_id = \(vehicleID) FOR UPDATE
            ), up AS (
              INSERT INTO \(unescaped: schema).vehicle_connectivity AS cur (vehicle_id, online, last_seen, changed_at)
              VALUES (\(vehicleID), \(online), to_timestamp(\(lastSeenMillis) / 1000.0), now())
              ON CONFLICT (vehicle_id) DO UPDATE SET online = EXCLUDED.online, last_seen = EXCLUDED.last_seen,
                changed_at = CASE WHEN cur.online = EXCLUDED.online THEN cur.changed_at ELSE now() END
              WHERE EXCLUDED.last_seen >= cur.last_seen
              RETURNING online
            )
            SELECT (SELECT online FROM old) IS DISTINCT FROM (SELECT online FROM up) AND EXISTS (SELECT 1 FROM up)
            """, logger: logger)
        for try await changed in rows.decode(Bool.self) {
            return changed
        }
        return false
    }
}
