import FleetCore
import FleetService
import Foundation
import Metrics
import PostgresNIO

extension PostgresTrackingRepository {
    /// Per batch, four round trips whatever its size (five when its transitions decide fleet events, which go to the
    /// outbox): `BEGIN`, lock and read the batch's watermark rows, one statement that stores the new rows, the latest
    /// state and the new watermarks, `COMMIT`.
    ///
    /// The watermark rows are locked first, in vehicle order, so replicas that split a vehicle's stream take
    /// turns per vehicle (and cannot deadlock). Everything else of that vehicle (its latest state and the
    /// transitions events come from) is only written under that lock, so it needs no lock of its own.
    ///
    /// The locked watermarks say which sequences are already stored (``CommitWatermark/isStored(_:)``): those rows are
    /// duplicates, whatever device time they carry, and are dropped before the insert, which then needs no
    /// `ON CONFLICT`. Should the table hold a row the watermark does not know (rows written around this path), the
    /// insert's key violation makes the batch run once more with `ON CONFLICT DO NOTHING`, counted in
    /// `fleet_tracking_store_conflict_retries_total`.
    func store(_ batch: TelemetryBatch, register: [String], defaultSpeedLimit: Double, movingThreshold: Double) async throws -> StoreResult {
        guard !batch.isEmpty else { return StoreResult() }
        do {
            return try await store(batch, register: register, defaultSpeedLimit: defaultSpeedLimit, movingThreshold: movingThreshold, guarded: false)
        } catch where Self.isUniqueViolation(error) {
            Self.conflictRetries.increment()
            logger.warning(
                "Telemetry rows already in the table though their watermark did not know them; storing the batch again, skipping those",
                metadata: ["rows": "\(batch.count)", "error": "\(String(reflecting: error))"])
            return try await store(batch, register: register, defaultSpeedLimit: defaultSpeedLimit, movingThreshold: movingThreshold, guarded: true)
        }
    }

    static let conflictRetries = Counter(label: "fleet_tracking_store_conflict_retries_total")

    /// A unique-key violation, raised in a transaction or not.
    static func isUniqueViolation(_ error: any Error) -> Bool {
        if let error = error as? PostgresTransactionError, let inner = error.closureError { return isUniqueViolation(inner) }
        return (error as? PSQLError)?.serverInfo?[.sqlState] == "23505"
    }

    private func store(
        _ received: TelemetryBatch, register: [String], defaultSpeedLimit: Double, movingThreshold: Double, guarded: Bool
    ) async throws -> StoreResult {
        let s = schema
        let vehicles = received.distinctVehicles
        return try await client.withTransaction(logger: logger) { connection in
            // A batch touches a few hundred of the fleet's vehicles. With the default random_page_cost (4, for disks
            // that seek) the planner reads the whole watermark, latest-state and vehicle tables into hash joins once a
            // batch holds a few percent of the fleet, so each write cost grew with the fleet (a batch of 800 among
            // 30,000 vehicles: ~50 ms of scans). These tables are hot in memory: priced as such, the lookups go through
            // the primary keys and cost what the batch holds. (SET LOCAL: this transaction only.)
            try await connection.query("SET LOCAL random_page_cost = 1.1", logger: logger)
            if !register.isEmpty {
                try await connection.query(
                    """
                    INSERT INTO \(unescaped: s).vehicles (id, auto_registered)
                    SELECT v, true FROM unnest(\(register)::text[]) AS v ORDER BY v
                    ON CONFLICT (id) DO NOTHING
                    """, logger: logger)
            }
            var watermarks = try await lockWatermarks(of: vehicles, on: connection)
            if watermarks.count < vehicles.count {
                // First telemetry of these vehicles: create their rows, then lock them like the others. Sequences may
                // start at 0 (the wire format allows it): 0 starts as a not-yet-stored range below the watermark.
                let missing = vehicles.filter { watermarks[$0] == nil }
                try await connection.query(
                    """
                    INSERT INTO \(unescaped: s).commit_watermarks (vehicle_id, committed_seq, skipped, updated_at)
                    SELECT v, 0, '{0,0}', now() FROM unnest(\(missing)::text[]) AS v ORDER BY v
                    ON CONFLICT (vehicle_id) DO NOTHING
                    """, logger: logger)
                watermarks.merge(try await lockWatermarks(of: missing, on: connection)) { $1 }
            }

            // The new rows and the new watermarks, from the locked rows and the batch (rows are sorted by vehicle,
            // then sequence, so a repeated sequence follows its first copy).
            var fresh: [Int] = []
            fresh.reserveCapacity(received.count)
            var reused: [Int] = []
            var committedNow: [String: Int64] = [:]
            var changedVehicles: [String] = [], changedCommitted: [Int64] = [], changedPending: [String] = []
            var changedSkipped: [String] = [], pendingSince: [Int16] = []
            var index = 0
            while index < received.count {
                let vehicle = received.vehicles[index]
                var end = index
                let locked = watermarks[vehicle]
                let old = locked?.watermark ?? CommitWatermark()
                let firstFresh = fresh.count
                var stored: [Int] = []
                while end < received.count && received.vehicles[end] == vehicle {
                    let seq = received.sequences[end]
                    if end > index && received.sequences[end - 1] == seq {
                        // A repeat within the batch: its first copy decides.
                    } else if !old.isStored(seq) {
                        fresh.append(end)
                    } else {
                        stored.append(end)
                    }
                    end += 1
                }
                if let latest = locked?.latestDeviceMillis, !stored.isEmpty {
                    // Already stored, yet newer than everything stored and everything new in this batch: not a resend
                    // but a device numbering again. (The batch's new rows count: a resend of an old sequence with a
                    // later device time often shares a batch with the sequences after it.)
                    let newest = fresh[firstFresh...].reduce(latest) { max($0, received.deviceMillis[$1]) }
                    reused += stored.filter { received.deviceMillis[$0] > newest }
                }
                var new = old
                new.add(stored: fresh[firstFresh...].lazy.map { received.sequences[$0] })
                committedNow[vehicle] = new.committed
                if new != old {
                    changedVehicles.append(vehicle)
                    changedCommitted.append(new.committed)
                    changedPending.append(new.pendingList)
                    changedSkipped.append(new.skippedList)
                    // 0: keep pending_since, 1: restart it, 2: no gap any more. It dates the gap the watermark waits
                    // at now: a new gap restarts it (never earlier than the sequences after it were stored, so a gap
                    // is skipped late rather than early); a gap that stays keeps it.
                    pendingSince.append(new.pending.isEmpty ? 2 : (old.pending.isEmpty || new.committed != old.committed ? 1 : 0))
                }
                index = end
            }
            var result = StoreResult()
            result.committed = committedNow
            result.reusedSequences = reused.map { received.sourceIndices[$0] }
            result.storedSamples = fresh.map { received.sourceIndices[$0] }
            guard !fresh.isEmpty else {
                result.duplicates = received.count - reused.count
                return result
            }
            let batch = fresh.count == received.count ? received : received.selecting(fresh)

            // The latest-state candidates: each vehicle's newest new row, placed in the geofences.
            let newest = batch.newestPerVehicle
            let latestVehicles = newest.map { batch.vehicles[$0] }, latestSequences = newest.map { batch.sequences[$0] }
            let latestDevice = newest.map { batch.deviceMillis[$0] }, latestReceived = newest.map { batch.receivedMillis[$0] }
            let latestLatitudes = newest.map { batch.latitudes[$0] }, latestLongitudes = newest.map { batch.longitudes[$0] }
            let latestSpeeds = newest.map { batch.speeds[$0] }, latestHeadings = newest.map { batch.headings[$0] }
            let latestOdometers = newest.map { batch.odometers[$0] }, latestBatteries = newest.map { batch.batteries[$0] }
            let latestFuels = newest.map { batch.fuels[$0] }, latestStatuses = newest.map { batch.statuses[$0] }
            let latestGeofences = newest.map { batch.geofenceList(at: $0) }

            let rows = try await connection.query(
                """
                WITH ins AS (
                  INSERT INTO \(unescaped: s).telemetry (vehicle_id, seq, device_time, received_at, lat, lon, accuracy_m,
                    speed_mps, heading_deg, odometer_m, battery_pct, fuel_pct, engine_temp_c, rpm, status, fault_codes)
                  SELECT v, q, to_timestamp(d::float8 / 1000), to_timestamp(r::float8 / 1000), la, lo, NULLIF(ac, 'NaN'),
                    sp, hd, od, NULLIF(ba, 'NaN'), NULLIF(fu, 'NaN'), NULLIF(te, 'NaN'), NULLIF(rp, 'NaN'), st,
                    string_to_array(NULLIF(fc, ''), ',')
                  FROM unnest(\(batch.vehicles)::text[], \(batch.sequences)::int8[], \(batch.deviceMillis)::int8[],
                    \(batch.receivedMillis)::int8[], \(batch.latitudes)::float8[], \(batch.longitudes)::float8[],
                    \(batch.accuracies)::float8[], \(batch.speeds)::float8[], \(batch.headings)::float8[],
                    \(batch.odometers)::float8[], \(batch.batteries)::float8[], \(batch.fuels)::float8[],
                    \(batch.temperatures)::float8[], \(batch.rpms)::float8[], \(batch.statuses)::text[], \(batch.faultCodes)::text[])
                    AS t(v, q, d, r, la, lo, ac, sp, hd, od, ba, fu, te, rp, st, fc)
                  \(unescaped: guarded ? "ON CONFLICT DO NOTHING RETURNING 1" : "")
                ), wm AS (
                  UPDATE \(unescaped: s).commit_watermarks w SET committed_seq = u.c,
                    pending = coalesce(string_to_array(NULLIF(u.p, ''), ',')::int8[], '{}'),
                    skipped = coalesce(string_to_array(NULLIF(u.k, ''), ',')::int8[], '{}'),
                    pending_since = CASE u.ps WHEN 1 THEN now() WHEN 2 THEN NULL ELSE w.pending_since END,
                    updated_at = now()
                  FROM unnest(\(changedVehicles)::text[], \(changedCommitted)::int8[], \(changedPending)::text[],
                    \(changedSkipped)::text[], \(pendingSince)::int2[]) AS u(v, c, p, k, ps)
                  WHERE w.vehicle_id = u.v
                ), calc AS (
                  SELECT new.*, old.vehicle_id IS NOT NULL AS had_old,
                    coalesce(old.moving, false) AS old_moving, coalesce(old.overspeed, false) AS old_overspeed,
                    coalesce(old.geofences, '{}') AS old_geofences,
                    coalesce(veh.speed_limit_mps, \(defaultSpeedLimit)::float8) AS lim
                  FROM unnest(\(latestVehicles)::text[], \(latestSequences)::int8[], \(latestDevice)::int8[],
                    \(latestReceived)::int8[], \(latestLatitudes)::float8[], \(latestLongitudes)::float8[],
                    \(latestSpeeds)::float8[], \(latestHeadings)::float8[], \(latestOdometers)::float8[],
                    \(latestBatteries)::float8[], \(latestFuels)::float8[], \(latestStatuses)::text[], \(latestGeofences)::text[])
                    AS new(v, q, d, r, la, lo, sp, hd, od, ba, fu, st, gf)
                  LEFT JOIN \(unescaped: s).vehicle_latest old ON old.vehicle_id = new.v
                  LEFT JOIN \(unescaped: s).vehicles veh ON veh.id = new.v
                  WHERE old.device_time IS NULL OR to_timestamp(new.d::float8 / 1000) >= old.device_time
                ), flags AS (
                  SELECT calc.*,
                    CASE WHEN old_moving THEN sp >= \(movingThreshold)::float8 * 0.5 ELSE sp >= \(movingThreshold)::float8 END AS moving,
                    CASE WHEN old_overspeed THEN sp > lim * 0.9 ELSE sp > lim END AS overspeed,
                    coalesce(string_to_array(NULLIF(gf, ''), ','), '{}') AS fences
                  FROM calc
                ), up AS (
                  INSERT INTO \(unescaped: s).vehicle_latest AS cur (vehicle_id, seq, device_time, received_at, lat, lon, speed_mps,
                    heading_deg, odometer_m, battery_pct, fuel_pct, status, moving, overspeed, geofences)
                  SELECT v, q, to_timestamp(d::float8 / 1000), to_timestamp(r::float8 / 1000), la, lo, sp, hd, od,
                    NULLIF(ba, 'NaN'), NULLIF(fu, 'NaN'), st, moving, overspeed, fences
                  FROM flags ORDER BY v
                  ON CONFLICT (vehicle_id) DO UPDATE SET seq = EXCLUDED.seq, device_time = EXCLUDED.device_time,
                    received_at = EXCLUDED.received_at, lat = EXCLUDED.lat, lon = EXCLUDED.lon, speed_mps = EXCLUDED.speed_mps,
                    heading_deg = EXCLUDED.heading_deg, odometer_m = EXCLUDED.odometer_m, battery_pct = EXCLUDED.battery_pct,
                    fuel_pct = EXCLUDED.fuel_pct, status = EXCLUDED.status, moving = EXCLUDED.moving,
                    overspeed = EXCLUDED.overspeed, geofences = EXCLUDED.geofences
                  WHERE EXCLUDED.device_time >= cur.device_time
                  RETURNING vehicle_id
                ), changed AS (
                  SELECT v, d, la, lo, sp, lim, had_old, old_moving, moving, old_overspeed, overspeed, old_geofences, fences
                  FROM flags WHERE v IN (SELECT vehicle_id FROM up)
                    -- Only what can make an event (TransitionEvents); the rest is just a newer position.
                    AND (NOT had_old OR moving <> old_moving OR overspeed <> old_overspeed OR fences <> old_geofences)
                )
                -- One row even when no vehicle changed, to carry the count of stored rows.
                SELECT \(unescaped: guarded ? "(SELECT count(*) FROM ins)::int8" : "\(batch.count)::int8"), changed.*
                FROM (VALUES (1)) AS one(x) LEFT JOIN changed ON true
                """, logger: logger)
            for try await row in rows.decode(
                (Int64, String?, Int64?, Double?, Double?, Double?, Double?, Bool?, Bool?, Bool?, Bool?, Bool?, [String]?, [String]?).self)
            {
                result.inserted = Int(row.0)
                guard let vehicle = row.1, let time = row.2, let latitude = row.3, let longitude = row.4, let speed = row.5,
                    let limit = row.6
                else { continue }
                result.transitions.append(
                    VehicleTransition(
                        vehicleID: vehicle, deviceTimeMillis: time, latitude: latitude, longitude: longitude,
                        speedMetersPerSecond: speed, speedLimitMetersPerSecond: limit, hadPrevious: row.7 ?? false,
                        wasMoving: row.8 ?? false, isMoving: row.9 ?? false, wasOverspeed: row.10 ?? false,
                        isOverspeed: row.11 ?? false, previousGeofences: row.12 ?? [], geofences: row.13 ?? []))
            }
            result.duplicates = received.count - result.inserted - reused.count
            // The events these transitions decide commit with them, so none is lost if the broker or this process is
            // down before they are published.
            let events = result.transitions.flatMap(TransitionEvents.events(for:))
            try await outbox.enqueue(try events.map(OutboxMessage.init(event:)), on: connection)
            result.events = events.count
            return result
        }
    }

    /// Locks the watermark rows of `vehicles` (sorted) and reads them, with the device time of each vehicle's latest
    /// state (milliseconds; nil before its first); vehicles without a row are absent.
    func lockWatermarks(of vehicles: [String], on connection: PostgresConnection) async throws -> [String: LockedWatermark] {
        let rows = try await connection.query(
            """
            SELECT w.vehicle_id, w.committed_seq, w.pending, w.skipped, (extract(epoch FROM l.device_time) * 1000)::int8
            FROM \(unescaped: schema).commit_watermarks w
            LEFT JOIN \(unescaped: schema).vehicle_latest l ON l.vehicle_id = w.vehicle_id
            WHERE w.vehicle_id = ANY(\(vehicles)::text[]) ORDER BY w.vehicle_id FOR UPDATE OF w
            """, logger: logger)
        var result: [String: LockedWatermark] = [:]
        for try await (vehicle, committed, pending, skipped, latest) in rows.decode((String, Int64, [Int64], [Int64], Int64?).self) {
            result[vehicle] = LockedWatermark(
                watermark: CommitWatermark(committed: committed, pending: pending, skipped: CommitWatermark.ranges(flat: skipped)),
                latestDeviceMillis: latest)
        }
        return result
    }

    /// A locked watermark row and the device time of the vehicle's latest state.
    struct LockedWatermark: Sendable {
        var watermark: CommitWatermark
        var latestDeviceMillis: Int64?
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

    func updateConnectivity(vehicleID: String, online: Bool, lastSeenMillis: Int64, connection: UInt64?, receivedMillis: Int64) async throws -> Bool {
        // Which state wins (docs/wire-format.md): with connection numbers on both sides, a later connection, or the
        // will (offline) of the stored connection, which ends it; an online state of a connection whose will was
        // already stored is late and ignored. Without them, the newer last_seen. A change of `online` is a
        // transition, and its event is written to the outbox by the same statement.
        // An offline state is dated when it arrived if that is later: a will carries its connection's connect time.
        let event = FleetEvent(
            id: .random(), type: online ? .online : .offline, severity: online ? .info : .warning,
            vehicleID: try VehicleID(vehicleID), timeMillis: online ? lastSeenMillis : max(lastSeenMillis, receivedMillis))
        let message = try OutboxMessage(event: event)
        let payload = Data(message.payload).base64EncodedString()
        let number = connection.map { Int64(clamping: $0) }
        let rows = try await client.query(
            """
            WITH old AS (
              SELECT online FROM \(unescaped: schema).vehicle_connectivity WHERE vehicle_id = \(vehicleID) FOR UPDATE
            ), up AS (
              INSERT INTO \(unescaped: schema).vehicle_connectivity AS cur (vehicle_id, online, last_seen, changed_at, connection)
              VALUES (\(vehicleID), \(online), to_timestamp(\(lastSeenMillis) / 1000.0), now(), \(number))
              ON CONFLICT (vehicle_id) DO UPDATE SET online = EXCLUDED.online,
                last_seen = GREATEST(cur.last_seen, EXCLUDED.last_seen), connection = EXCLUDED.connection,
                changed_at = CASE WHEN cur.online = EXCLUDED.online THEN cur.changed_at ELSE now() END
              -- A will with a connection number over a state stored without one (before migration 0008, or from an
              -- older device version) is taken: its last_seen is its connect time, older than that state by design.
              WHERE CASE WHEN EXCLUDED.connection IS NOT NULL AND cur.connection IS NULL AND cur.online AND NOT EXCLUDED.online THEN true
                WHEN EXCLUDED.connection IS NOT NULL AND cur.connection IS NOT NULL THEN
                  EXCLUDED.connection > cur.connection
                  OR (EXCLUDED.connection = cur.connection
                    AND ((cur.online AND NOT EXCLUDED.online) OR (cur.online = EXCLUDED.online AND EXCLUDED.last_seen >= cur.last_seen)))
                ELSE EXCLUDED.last_seen >= cur.last_seen END
              RETURNING online
            ), changed AS (
              SELECT (SELECT online FROM old) IS DISTINCT FROM (SELECT online FROM up) AND EXISTS (SELECT 1 FROM up) AS yes
            ), event AS (
              INSERT INTO \(unescaped: schema).event_outbox (event_id, topic, payload)
              SELECT \(message.id), \(message.topic), decode(\(payload), 'base64') FROM changed WHERE yes
            )
            SELECT yes FROM changed
            """, logger: logger)
        for try await changed in rows.decode(Bool.self) {
            return changed
        }
        return false
    }
}
