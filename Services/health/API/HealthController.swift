import FleetCore
import FleetHealthRules
import FleetService
import Foundation
import Hummingbird

/// Live health, incidents, downtime figures and the maintenance forecast (all `fleet:read`).
///
/// - `GET /v1/vehicles/{id}/health`, `GET /v1/fleet/health`, `GET /v1/maintenance/forecast?after=&limit=`
/// - `GET /v1/incidents?vehicle=&from=&to=&cause=&after=&limit=`, `GET /v1/vehicles/{id}/incidents?from=&to=&cause=&after=&limit=`
struct HealthController<Repository: HealthRepository> {
    typealias Context = AppRequestContext

    let repository: Repository
    let faultCodes: FaultCodeTable
    let thresholds: HealthThresholds
    let statsWindowDays: Int

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("vehicles/{id}/health", use: vehicleHealth)
        group.get("vehicles/{id}/incidents", use: vehicleIncidents)
        group.get("fleet/health", use: fleetHealth)
        group.get("maintenance/forecast", use: forecast)
        group.get("incidents", use: incidents)
    }

    private var windowMillis: Int64 { Int64(statsWindowDays) * 86_400_000 }

    @Sendable func vehicleHealth(_ request: Request, context: Context) async throws -> Response {
        _ = try context.require(.fleetRead)
        let id = try vehicleID(context)
        guard let row = try await repository.vehicle(id.rawValue) else {
            throw HTTPError(.notFound, message: "Vehicle \(id.rawValue) has never been heard from by fleet-health")
        }
        let now = TimestampPolicy.millis(from: .now)
        let open = try await repository.incidents(IncidentQuery(vehicleID: id.rawValue, fromMillis: now, limit: 100)).filter { $0.endedMillis == nil }
        let stats = try await repository.downtime(vehicleID: id.rawValue, fromMillis: now - windowMillis, toMillis: now)
        let dto = VehicleHealthDTO(
            vehicleID: row.vehicleID, score: HealthScore.score(row.active.keys, faultCodes: faultCodes), status: row.status,
            firstSeen: TimestampPolicy.date(fromMillis: row.firstSeenMillis), lastSeen: row.lastSeenMillis.map(TimestampPolicy.date(fromMillis:)),
            levels: .init(batteryPercent: row.batteryPercent, fuelPercent: row.fuelPercent, engineTemperatureCelsius: row.engineTemperatureCelsius),
            active: row.active.sorted { $0.key < $1.key }.map { ActiveConditionDTO($0.key, since: $0.value, faultCodes: faultCodes) },
            openIncidents: open.map { IncidentDTO($0, nowMillis: now) }, remainingUsefulLife: row.forecast, battery: row.battery,
            downtime: DowntimeDTO(stats, windowDays: statsWindowDays))
        return try JSONResponse.response(.ok, dto)
    }

    @Sendable func fleetHealth(_ request: Request, context: Context) async throws -> Response {
        _ = try context.require(.fleetRead)
        let worstCount = try request.integer("worst", default: 10, range: 0...1_000)
        let now = TimestampPolicy.millis(from: .now)
        let (rows, total) = try await repository.vehiclesWithConditions()
        var conditions: [String: Int] = [:]
        var summaries: [VehicleSummaryDTO] = []
        for row in rows {
            for condition in row.active.keys { conditions[condition.kind.rawValue, default: 0] += 1 }
            summaries.append(
                VehicleSummaryDTO(
                    vehicleID: row.vehicleID, score: HealthScore.score(row.active.keys, faultCodes: faultCodes),
                    active: row.active.keys.map(\.key).sorted(), lastSeen: row.lastSeenMillis.map(TimestampPolicy.date(fromMillis:))))
        }
        summaries.sort { ($0.score, $0.vehicleID) < ($1.score, $1.vehicleID) }
        let impaired = summaries.filter { $0.score < 100 }.count
        let open = try await repository.openIncidentCounts()
        let stats = try await repository.downtime(vehicleID: nil, fromMillis: now - windowMillis, toMillis: now)
        let dto = FleetHealthDTO(
            vehicles: total, healthy: total - impaired, withIssues: impaired, conditions: conditions,
            openIncidents: Dictionary(uniqueKeysWithValues: IncidentCause.allCases.map { ($0.rawValue, open[$0] ?? 0) }),
            worst: Array(summaries.filter { $0.score < 100 }.prefix(worstCount)), downtime: DowntimeDTO(stats, windowDays: statsWindowDays))
        return try JSONResponse.response(.ok, dto)
    }

    @Sendable func forecast(_ request: Request, context: Context) async throws -> Response {
        _ = try context.require(.fleetRead)
        let limit = try request.limit(default: 100, max: 1_000)
        let after = try Self.after(request, key: { Double($0).flatMap { $0.isFinite ? $0 : nil } }, id: VehicleID.isValid)
        let rows = try await repository.forecasts(afterRUL: after, limit: limit)
        let items = rows.compactMap { row -> ForecastDTO? in
            guard let forecast = row.forecast else { return nil }
            return ForecastDTO(
                vehicleID: row.vehicleID, remainingUsefulLife: forecast, maintenanceDue: forecast.rulCycles < thresholds.maintenanceDueCycles,
                battery: row.battery)
        }
        let next = rows.count == limit ? rows.last.flatMap { row in row.forecast.map { "\($0.rulCycles)_\(row.vehicleID)" } } : nil
        return try JSONResponse.response(.ok, Page(items: items, nextAfter: next))
    }

    @Sendable func incidents(_ request: Request, context: Context) async throws -> Response {
        _ = try context.require(.fleetRead)
        var vehicle: String?
        if let raw = request.query("vehicle") {
            guard VehicleID.isValid(raw) else { throw Request.invalidQuery("vehicle", "a vehicle id ([A-Za-z0-9._-]{1,64})") }
            vehicle = raw
        }
        return try await page(request, vehicle: vehicle)
    }

    @Sendable func vehicleIncidents(_ request: Request, context: Context) async throws -> Response {
        _ = try context.require(.fleetRead)
        return try await page(request, vehicle: try vehicleID(context).rawValue)
    }

    private func page(_ request: Request, vehicle: String?) async throws -> Response {
        let limit = try request.limit(default: 100, max: 1_000)
        let from = try request.timeMillis("from")
        let to = try request.timeMillis("to")
        if let from, let to, from > to { throw Request.invalidQuery("from", "not after 'to'") }
        let cause = try request.enumeration("cause", as: IncidentCause.self)
        let after = try Self.after(request, key: { Int64($0) }, id: { MessageID(validating: $0) != nil }).map { (millis: $0.0, id: $0.1) }
        let found = try await repository.incidents(
            IncidentQuery(vehicleID: vehicle, fromMillis: from, toMillis: to, cause: cause, after: after, limit: limit))
        let now = TimestampPolicy.millis(from: .now)
        let next = found.count == limit ? found.last.map { "\($0.startedMillis)_\($0.id)" } : nil
        return try JSONResponse.response(.ok, Page(items: found.map { IncidentDTO($0, nowMillis: now) }, nextAfter: next))
    }

    /// `?after=`: a previous page's `next_after`, `<key>_<id>` split at the first `_` (the keys, numbers, never contain one), or a 400.
    private static func after<Key>(_ request: Request, key: (String) -> Key?, id valid: (String) -> Bool) throws -> (Key, String)? {
        guard let cursor = try request.cursor("after") else { return nil }
        let parts = cursor.split(separator: "_", maxSplits: 1).map(String.init)
        guard parts.count == 2, let parsed = key(parts[0]), valid(parts[1]) else {
            throw Request.invalidQuery("after", "a cursor from a previous page's next_after")
        }
        return (parsed, parts[1])
    }

    private func vehicleID(_ context: Context) throws -> VehicleID {
        let raw = context.parameters.get("id") ?? ""
        guard let id = VehicleID(validating: raw) else {
            throw HTTPError(.badRequest, message: "path parameter 'id' must be a vehicle id ([A-Za-z0-9._-]{1,64})")
        }
        return id
    }
}
