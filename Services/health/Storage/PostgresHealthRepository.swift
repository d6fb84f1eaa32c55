import FleetCore
import FleetHealthRules
import FleetService
import Foundation
import Logging
import PostgresNIO

/// ``HealthRepository`` in the service's own schema (the client's search path).
struct PostgresHealthRepository: HealthRepository {
    let client: PostgresClient
    let outbox: EventOutbox
    let faultCodes: FaultCodeTable
    let metrics: HealthMetrics
    let logger: Logger

    init(client: PostgresClient, schema: String, faultCodes: FaultCodeTable, metrics: HealthMetrics, logger: Logger) {
        self.client = client
        self.outbox = EventOutbox(schema: schema, logger: logger)
        self.faultCodes = faultCodes
        self.metrics = metrics
        self.logger = logger
    }

    // MARK: Transitions

    func apply(_ transitions: [HealthTransition], tags: [String: [String]]) async throws -> AppliedTransitions {
        var applied = AppliedTransitions()
        var order: [VehicleID] = []
        var byVehicle: [VehicleID: [HealthTransition]] = [:]
        for transition in transitions {
            if byVehicle[transition.vehicleID] == nil { order.append(transition.vehicleID) }
            byVehicle[transition.vehicleID, default: []].append(transition)
        }
        for vehicle in order {
            let list = byVehicle[vehicle] ?? []
            let (confirmed, active) = try await client.withTransaction(logger: logger) { connection in
                try await apply(list, vehicle: vehicle, tags: tags[vehicle.rawValue] ?? [], on: connection)
            }
            applied.confirmed += confirmed
            applied.active[vehicle] = active
        }
        for transition in transitions {
            let outcome = applied.confirmed.contains(transition) ? "recorded" : "already_recorded"
            metrics.transitions.increment(transition.condition.kind.rawValue, transition.change.rawValue, outcome)
        }
        return applied
    }

    private func apply(
        _ transitions: [HealthTransition], vehicle: VehicleID, tags: [String], on connection: PostgresConnection
    ) async throws -> ([HealthTransition], [HealthCondition: Int64]) {
        let id = vehicle.rawValue
        try await connection.query("INSERT INTO vehicle_health (vehicle_id) VALUES (\(id)) ON CONFLICT (vehicle_id) DO NOTHING", logger: logger)
        let rows = try await connection.query(
            "SELECT active::text, (extract(epoch FROM last_seen) * 1000)::int8 FROM vehicle_health WHERE vehicle_id = \(id) FOR UPDATE",
            logger: logger)
        var active: [HealthCondition: Int64] = [:]
        var lastSeen: Int64?
        for try await (json, seen) in rows.decode((String, Int64?).self) {
            active = HealthCondition.decodeActive(json)
            lastSeen = seen
        }
        let causesBefore = causes(of: active)
        var confirmed: [HealthTransition] = []
        var causeTimes: [IncidentCause: (millis: Int64, detail: String)] = [:]
        for transition in transitions {
            switch transition.change {
            case .enter:
                guard active[transition.condition] == nil else { continue }
                // Silence decided from a last-seen time that another replica has since moved on is not silence, and a
                // vehicle recorded offline meanwhile (the sweep read it before) is not silent either.
                if transition.condition.kind == .silent {
                    if active[HealthCondition(.offline)] != nil { continue }
                    if let decidedOn = transition.attributes["last_seen_ms"].flatMap(Int64.init), let lastSeen, lastSeen > decidedOn { continue }
                }
                active[transition.condition] = transition.timeMillis
            case .leave:
                guard active[transition.condition] != nil else { continue }
                active[transition.condition] = nil
            }
            confirmed.append(transition)
            if let cause = transition.condition.incidentCause(faultCodes: faultCodes), causeTimes[cause] == nil {
                causeTimes[cause] = (transition.timeMillis, incidentDetail(transition))
            }
        }
        // A vehicle recorded offline is not silent, whatever order the state consumer and the sweep recorded things in.
        let silent = HealthCondition(.silent)
        if active[HealthCondition(.offline)] != nil, active[silent] != nil, let offline = confirmed.last(where: { $0.condition.kind == .offline }) {
            active[silent] = nil
            let leave = HealthTransition(
                vehicleID: vehicle, condition: silent, change: .leave, timeMillis: offline.timeMillis, severity: .info, attributes: ["reason": "offline"])
            confirmed.append(leave)
            if causeTimes[.silent] == nil { causeTimes[.silent] = (leave.timeMillis, "") }
        }
        guard !confirmed.isEmpty else { return ([], active) }
        let causesAfter = causes(of: active)
        for cause in causesAfter.subtracting(causesBefore) {
            let at = causeTimes[cause] ?? (Int64(Date().timeIntervalSince1970 * 1000), "")
            let incidentID = MessageID.random().rawValue
            try await connection.query(
                """
                INSERT INTO incidents (id, vehicle_id, cause, started_at, detail)
                VALUES (\(incidentID), \(id), \(cause.rawValue), to_timestamp(\(Double(at.millis) / 1000)), \(at.detail))
                ON CONFLICT (vehicle_id, cause) WHERE ended_at IS NULL DO NOTHING
                """, logger: logger)
        }
        for cause in causesBefore.subtracting(causesAfter) {
            let at = causeTimes[cause]?.millis ?? Int64(Date().timeIntervalSince1970 * 1000)
            try await connection.query(
                """
                UPDATE incidents SET ended_at = greatest(started_at, to_timestamp(\(Double(at) / 1000)))
                WHERE vehicle_id = \(id) AND cause = \(cause.rawValue) AND ended_at IS NULL
                """, logger: logger)
        }
        let json = HealthCondition.encodeActive(active)
        try await connection.query("UPDATE vehicle_health SET active = \(json)::jsonb, updated_at = now() WHERE vehicle_id = \(id)", logger: logger)
        let messages = try confirmed.compactMap { transition -> OutboxMessage? in
            guard let event = event(for: transition, tags: tags) else { return nil }
            metrics.events.increment(event.type.rawValue)
            return try OutboxMessage(event: event)
        }
        try await outbox.enqueue(messages, on: connection)
        return (confirmed, active)
    }

    private func causes(of active: [HealthCondition: Int64]) -> Set<IncidentCause> {
        Set(active.keys.compactMap { $0.incidentCause(faultCodes: faultCodes) })
    }

    private func incidentDetail(_ transition: HealthTransition) -> String {
        switch transition.condition.kind {
        case .fault, .statusFault:
            let code = transition.attributes["code"] ?? transition.condition.detail ?? ""
            return [code, transition.attributes["text"] ?? ""].filter { !$0.isEmpty }.joined(separator: ": ")
        case .silent: return "no telemetry for \(transition.attributes["silent_seconds"] ?? "?") s"
        case .offline: return "disconnected"
        case .paused: return "paused by an operator"
        default: return transition.condition.key
        }
    }

    /// The fleet event of a confirmed transition, with the vehicle's tags (bounded to the attribute limits).
    func event(for transition: HealthTransition, tags: [String]) -> FleetEvent? {
        guard let type = transition.eventType else { return nil }
        var attributes = transition.attributes.filter { !$0.value.isEmpty }
        attributes["condition"] = transition.condition.key
        var tagList = ""
        for tag in tags.sorted() where tagList.count + tag.count + 1 <= FleetLimits.maxAttributeValueLength {
            tagList += tagList.isEmpty ? tag : ",\(tag)"
        }
        if !tagList.isEmpty { attributes["tags"] = tagList }
        for (key, value) in attributes where value.count > FleetLimits.maxAttributeValueLength {
            attributes[key] = String(value.prefix(FleetLimits.maxAttributeValueLength))
        }
        while attributes.count > FleetLimits.maxAttributes, let key = attributes.keys.sorted().last { attributes[key] = nil }
        return FleetEvent(
            id: .random(), type: type, severity: transition.severity, vehicleID: transition.vehicleID, timeMillis: transition.timeMillis,
            attributes: attributes)
    }

    // MARK: Sweeps

    func loadActive() async throws -> [(vehicleID: String, active: [HealthCondition: Int64], lastSeenMillis: Int64?)] {
        let rows = try await client.query(
            "SELECT vehicle_id, active::text, (extract(epoch FROM last_seen) * 1000)::int8 FROM vehicle_health WHERE active <> '{}'::jsonb",
            logger: logger)
        var out: [(vehicleID: String, active: [HealthCondition: Int64], lastSeenMillis: Int64?)] = []
        for try await (id, json, seen) in rows.decode((String, String, Int64?).self) {
            out.append((id, HealthCondition.decodeActive(json), seen))
        }
        return out
    }

    func flush(_ seen: [SeenVehicle]) async throws {
        guard !seen.isEmpty else { return }
        // Optional levels travel as NaN (arrays of optionals are not bound) and become NULL again.
        let ids = seen.map(\.vehicleID)
        let times = seen.map { Double($0.lastSeenMillis) / 1000 }
        let statuses = seen.map { $0.status ?? "" }
        let battery = seen.map { $0.batteryPercent ?? .nan }
        let fuel = seen.map { $0.fuelPercent ?? .nan }
        let temperature = seen.map { $0.engineTemperatureCelsius ?? .nan }
        try await client.query(
            """
            INSERT INTO vehicle_health AS h (vehicle_id, first_seen, last_seen, status, battery_pct, fuel_pct, engine_temp_c)
            SELECT v, to_timestamp(t), to_timestamp(t), nullif(s, ''), nullif(b, 'NaN'), nullif(f, 'NaN'), nullif(e, 'NaN')
            FROM unnest(\(ids)::text[], \(times)::float8[], \(statuses)::text[], \(battery)::float8[], \(fuel)::float8[], \(temperature)::float8[])
                AS u(v, t, s, b, f, e)
            ORDER BY v
            ON CONFLICT (vehicle_id) DO UPDATE SET
                first_seen = least(h.first_seen, EXCLUDED.first_seen),
                last_seen = greatest(h.last_seen, EXCLUDED.last_seen),
                status = CASE WHEN h.last_seen IS NULL OR EXCLUDED.last_seen >= h.last_seen THEN coalesce(EXCLUDED.status, h.status) ELSE h.status END,
                battery_pct = coalesce(EXCLUDED.battery_pct, h.battery_pct),
                fuel_pct = coalesce(EXCLUDED.fuel_pct, h.fuel_pct),
                engine_temp_c = coalesce(EXCLUDED.engine_temp_c, h.engine_temp_c),
                updated_at = now()
            """, logger: logger)
    }

    func silenceCandidates(beforeMillis: Int64, limit: Int) async throws -> [(vehicleID: String, active: [HealthCondition: Int64], lastSeenMillis: Int64)] {
        let rows = try await client.query(
            """
            SELECT vehicle_id, active::text, (extract(epoch FROM last_seen) * 1000)::int8 FROM vehicle_health
            WHERE last_seen < to_timestamp(\(Double(beforeMillis) / 1000))
              AND NOT (active ? 'silent') AND NOT (active ? 'offline')
            ORDER BY last_seen LIMIT \(limit)
            """, logger: logger)
        var out: [(vehicleID: String, active: [HealthCondition: Int64], lastSeenMillis: Int64)] = []
        for try await (id, json, seen) in rows.decode((String, String, Int64).self) { out.append((id, HealthCondition.decodeActive(json), seen)) }
        return out
    }

    func recoveredFromSilence(limit: Int) async throws -> [(vehicleID: String, active: [HealthCondition: Int64], lastSeenMillis: Int64)] {
        let rows = try await client.query(
            """
            SELECT vehicle_id, active::text, (extract(epoch FROM last_seen) * 1000)::int8 FROM vehicle_health
            WHERE active ? 'silent' AND last_seen IS NOT NULL
              AND (extract(epoch FROM last_seen) * 1000)::int8 > (active->>'silent')::int8
            LIMIT \(limit)
            """, logger: logger)
        var out: [(vehicleID: String, active: [HealthCondition: Int64], lastSeenMillis: Int64)] = []
        for try await (id, json, seen) in rows.decode((String, String, Int64).self) { out.append((id, HealthCondition.decodeActive(json), seen)) }
        return out
    }

    func storeForecasts(_ seen: [SeenVehicle]) async throws {
        let updates = seen.filter { $0.engine != nil || $0.battery != nil }
        guard !updates.isEmpty else { return }
        let ids = updates.map(\.vehicleID)
        let rul = updates.map { $0.engine?.rulCycles ?? .nan }
        let lower = updates.map { $0.engine?.lower ?? .nan }
        let upper = updates.map { $0.engine?.upper ?? .nan }
        let ratio = updates.map { $0.battery?.capacityRatio ?? .nan }
        let eol = updates.map { $0.battery?.endOfLifeCycle ?? .nan }
        let cycle = updates.map { $0.battery.map { Int64(clamping: $0.cycle) } ?? -1 }
        try await client.query(
            """
            INSERT INTO vehicle_health AS h (vehicle_id, rul_cycles, rul_lower, rul_upper, rul_at, battery_capacity_ratio, battery_eol_cycle, battery_cycle)
            SELECT v, nullif(r, 'NaN'), nullif(l, 'NaN'), nullif(u, 'NaN'), CASE WHEN r = 'NaN' THEN NULL ELSE now() END,
                   nullif(c, 'NaN'), nullif(e, 'NaN'), nullif(n, -1)
            FROM unnest(\(ids)::text[], \(rul)::float8[], \(lower)::float8[], \(upper)::float8[], \(ratio)::float8[], \(eol)::float8[], \(cycle)::int8[])
                AS x(v, r, l, u, c, e, n)
            ORDER BY v
            ON CONFLICT (vehicle_id) DO UPDATE SET
                rul_cycles = coalesce(EXCLUDED.rul_cycles, h.rul_cycles), rul_lower = coalesce(EXCLUDED.rul_lower, h.rul_lower),
                rul_upper = coalesce(EXCLUDED.rul_upper, h.rul_upper), rul_at = coalesce(EXCLUDED.rul_at, h.rul_at),
                battery_capacity_ratio = coalesce(EXCLUDED.battery_capacity_ratio, h.battery_capacity_ratio),
                battery_eol_cycle = coalesce(EXCLUDED.battery_eol_cycle, h.battery_eol_cycle),
                battery_cycle = coalesce(EXCLUDED.battery_cycle, h.battery_cycle), updated_at = now()
            """, logger: logger)
    }

    // MARK: Reads

    private static let rowColumns = """
        vehicle_id, active::text, (extract(epoch FROM first_seen) * 1000)::int8, (extract(epoch FROM last_seen) * 1000)::int8, status,
        battery_pct, fuel_pct, engine_temp_c, rul_cycles, rul_lower, rul_upper, rul_at, battery_capacity_ratio, battery_eol_cycle,
        battery_cycle
        """

    private func rows(_ query: PostgresQuery) async throws -> [VehicleHealthRow] {
        var out: [VehicleHealthRow] = []
        let result = try await client.query(query, logger: logger)
        for try await row in result {
            let r = try row.decode(
                (String, String, Int64, Int64?, String?, Double?, Double?, Double?, Double?, Double?, Double?, Date?, Double?, Double?, Int32?).self)
            var forecast: VehicleHealthRow.StoredForecast?
            if let rul = r.8, let at = r.11 { forecast = .init(rulCycles: rul, lower: r.9 ?? rul, upper: r.10 ?? rul, at: at) }
            let battery: VehicleHealthRow.StoredBattery? =
                r.12 == nil && r.13 == nil ? nil : .init(capacityRatio: r.12, endOfLifeCycle: r.13, cycle: r.14.map(Int.init))
            out.append(
                VehicleHealthRow(
                    vehicleID: r.0, active: HealthCondition.decodeActive(r.1), firstSeenMillis: r.2, lastSeenMillis: r.3, status: r.4,
                    batteryPercent: r.5, fuelPercent: r.6, engineTemperatureCelsius: r.7, forecast: forecast, battery: battery))
        }
        return out
    }

    func vehicle(_ id: String) async throws -> VehicleHealthRow? {
        try await rows("SELECT \(unescaped: Self.rowColumns) FROM vehicle_health WHERE vehicle_id = \(id)").first
    }

    func vehiclesWithConditions() async throws -> (rows: [VehicleHealthRow], total: Int) {
        let found = try await rows("SELECT \(unescaped: Self.rowColumns) FROM vehicle_health WHERE active <> '{}'::jsonb")
        var total = 0
        for try await (count) in try await client.query("SELECT count(*)::int8 FROM vehicle_health", logger: logger).decode(Int64.self) {
            total = Int(count)
        }
        return (found, total)
    }

    func forecasts(afterRUL: (cycles: Double, id: String)?, limit: Int) async throws -> [VehicleHealthRow] {
        if let afterRUL {
            return try await rows(
                """
                SELECT \(unescaped: Self.rowColumns) FROM vehicle_health
                WHERE rul_cycles IS NOT NULL AND (rul_cycles, vehicle_id) > (\(afterRUL.cycles), \(afterRUL.id))
                ORDER BY rul_cycles, vehicle_id LIMIT \(limit)
                """)
        }
        return try await rows(
            "SELECT \(unescaped: Self.rowColumns) FROM vehicle_health WHERE rul_cycles IS NOT NULL ORDER BY rul_cycles, vehicle_id LIMIT \(limit)")
    }

    func incidents(_ query: IncidentQuery) async throws -> [Incident] {
        let from = query.fromMillis.map { Double($0) / 1000 }
        let to = query.toMillis.map { Double($0) / 1000 }
        let afterTime = query.after.map { Double($0.millis) / 1000 }
        let afterID = query.after?.id
        let rows = try await client.query(
            """
            SELECT id, vehicle_id, cause, (extract(epoch FROM started_at) * 1000)::int8, (extract(epoch FROM ended_at) * 1000)::int8, detail
            FROM incidents
            WHERE (\(query.vehicleID)::text IS NULL OR vehicle_id = \(query.vehicleID))
              AND (\(query.cause?.rawValue)::text IS NULL OR cause = \(query.cause?.rawValue))
              AND (\(to)::float8 IS NULL OR started_at < to_timestamp(\(to)))
              AND (\(from)::float8 IS NULL OR ended_at IS NULL OR ended_at >= to_timestamp(\(from)))
              AND (\(afterTime)::float8 IS NULL OR (date_trunc('milliseconds', started_at), id) < (to_timestamp(\(afterTime)), \(afterID)))
            ORDER BY date_trunc('milliseconds', started_at) DESC, id DESC
            LIMIT \(query.limit)
            """, logger: logger)
        var out: [Incident] = []
        for try await (id, vehicle, cause, started, ended, detail) in rows.decode((String, String, String, Int64, Int64?, String).self) {
            guard let vehicleID = VehicleID(validating: vehicle), let cause = IncidentCause(rawValue: cause) else { continue }
            out.append(Incident(id: id, vehicleID: vehicleID, cause: cause, startedMillis: started, endedMillis: ended, detail: detail))
        }
        return out
    }

    func downtime(vehicleID: String?, fromMillis: Int64, toMillis: Int64) async throws -> DowntimeStatistics {
        let from = Double(fromMillis) / 1000
        let to = Double(toMillis) / 1000
        let incidentRows = try await client.query(
            """
            SELECT id, vehicle_id, cause, (extract(epoch FROM started_at) * 1000)::int8, (extract(epoch FROM ended_at) * 1000)::int8
            FROM incidents
            WHERE (\(vehicleID)::text IS NULL OR vehicle_id = \(vehicleID))
              AND started_at < to_timestamp(\(to)) AND (ended_at IS NULL OR ended_at >= to_timestamp(\(from)))
            """, logger: logger)
        var incidents: [Incident] = []
        for try await (id, vehicle, cause, started, ended) in incidentRows.decode((String, String, String, Int64, Int64?).self) {
            guard let vehicle = VehicleID(validating: vehicle), let cause = IncidentCause(rawValue: cause) else { continue }
            incidents.append(Incident(id: id, vehicleID: vehicle, cause: cause, startedMillis: started, endedMillis: ended))
        }
        // The vehicles' observed time in the window, summed in the database (the fleet can be 100,000 vehicles).
        let observedRows = try await client.query(
            """
            SELECT coalesce(sum(greatest(0, extract(epoch FROM to_timestamp(\(to)) - greatest(to_timestamp(\(from)), first_seen)) * 1000)), 0)::int8
            FROM vehicle_health
            WHERE (\(vehicleID)::text IS NULL OR vehicle_id = \(vehicleID)) AND first_seen < to_timestamp(\(to))
            """, logger: logger)
        var observed: Int64 = 0
        for try await total in observedRows.decode(Int64.self) { observed = total }
        return DowntimeStatistics(incidents: incidents, observedMillis: observed, fromMillis: fromMillis, toMillis: toMillis)
    }

    func openIncidentCounts() async throws -> [IncidentCause: Int] {
        var out: [IncidentCause: Int] = [:]
        let rows = try await client.query("SELECT cause, count(*)::int8 FROM incidents WHERE ended_at IS NULL GROUP BY cause", logger: logger)
        for try await (cause, count) in rows.decode((String, Int64).self) {
            if let cause = IncidentCause(rawValue: cause) { out[cause] = Int(count) }
        }
        return out
    }
}
