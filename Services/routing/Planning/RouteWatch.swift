import FleetCore
import FleetGeo
import Foundation
import Logging

/// Watches dispatched plans: their ETAs follow the vehicles' live positions and the live travel times, and a
/// breakdown (or flat battery) of a vehicle with stops left, or a jam on the way to its remaining stops, re-optimises
/// what is left of the plan: the remaining stops over the plan's vehicles as they are now. The new plan replaces the
/// old one and is dispatched in turn, so each vehicle gets its new route.
struct RouteWatch: Sendable {
    let plans: PlanService
    let dispatcher: Dispatcher?
    let traffic: TrafficLayer
    /// Plans dispatched longer ago than this are no longer watched.
    var horizonMillis: Int64 = 24 * 3_600_000
    /// ETAs are rewritten when one moves by more than this.
    var etaToleranceMillis: Int64 = 30_000

    private var repository: any PlanRepository { plans.repository }
    private var logger: Logger { plans.logger }

    /// One pass over the active plans.
    func run() async throws {
        let now = TimestampPolicy.millis(from: .now)
        let active = try await repository.active(since: now - horizonMillis).filter { plan in
            plan.replacedBy == nil && plan.routes.contains { $0.completedStops < $0.stops.count }
        }
        guard !active.isEmpty else { return }
        let fleet = plans.fleet.snapshot()
        let jammed = Set(traffic.jammedSegments)
        let hierarchy = plans.network.hierarchy
        for plan in active {
            if let reason = replanReason(plan, fleet: fleet, jammed: jammed, hierarchy: hierarchy, nowMillis: now) {
                do {
                    try await replan(plan, reason: reason)
                } catch {
                    logger.error("Re-optimisation failed", metadata: ["plan.id": "\(plan.id)", "error": "\(error)"])
                }
                continue
            }
            try await refreshETAs(plan, fleet: fleet, hierarchy: hierarchy, nowMillis: now)
        }
    }

    /// Why `plan` must be re-optimised, if it must.
    func replanReason(
        _ plan: Plan, fleet: FleetView.Snapshot, jammed: Set<Int>, hierarchy: ContractionHierarchy, nowMillis: Int64
    ) -> String? {
        for route in plan.routes where route.completedStops < route.stops.count {
            let conditions = fleet.conditions[route.vehicleID] ?? VehicleConditions()
            if !conditions.openFaults.isEmpty { return "breakdown of \(route.vehicleID)" }
            if conditions.lowBattery { return "low battery of \(route.vehicleID)" }
            guard !jammed.isEmpty, let legs = remainingLegs(route, fleet: fleet, nowMillis: nowMillis) else { continue }
            for (from, to) in zip(legs, legs.dropFirst()) {
                if let path = hierarchy.path(from: from, to: to), path.edges.contains(where: jammed.contains) {
                    return "traffic jam on the route of \(route.vehicleID)"
                }
            }
        }
        return nil
    }

    /// The vehicle's live position, then its stops not done.
    private func remainingLegs(_ route: Plan.VehicleRoute, fleet: FleetView.Snapshot, nowMillis: Int64) -> [Waypoint]? {
        guard let position = fleet.positions[route.vehicleID],
            nowMillis - position.millis <= plans.limits.positionMaxAgeMillis,
            let start = plans.network.waypoint(near: position.coordinate, within: plans.limits.snapRadiusMeters)
        else { return nil }
        var legs = [start]
        for stop in route.stops.dropFirst(route.completedStops) {
            guard let waypoint = plans.network.waypoint(
                near: GeoCoordinate(latitude: stop.lat, longitude: stop.lon), within: plans.limits.snapRadiusMeters)
            else { return nil }
            legs.append(waypoint)
        }
        return legs
    }

    /// New ETAs for the stops not done, from where each vehicle is and the live travel times.
    private func refreshETAs(_ plan: Plan, fleet: FleetView.Snapshot, hierarchy: ContractionHierarchy, nowMillis: Int64) async throws {
        var updated = plan
        var changed = false
        for index in plan.routes.indices {
            let route = plan.routes[index]
            guard route.completedStops < route.stops.count, let legs = remainingLegs(route, fleet: fleet, nowMillis: nowMillis)
            else { continue }
            var time = nowMillis
            for (offset, (from, to)) in zip(legs, legs.dropFirst()).enumerated() {
                guard let path = hierarchy.path(from: from, to: to) else { break }
                let stopIndex = route.completedStops + offset
                let stop = route.stops[stopIndex]
                time += Int64(path.duration * 1_000)
                let service = stop.departureMillis - stop.serviceStartMillis
                let waitUntil = max(time, stop.windowStartMillis ?? time)
                if abs(time - stop.arrivalMillis) > etaToleranceMillis {
                    updated.routes[index].stops[stopIndex].arrivalMillis = time
                    updated.routes[index].stops[stopIndex].serviceStartMillis = waitUntil
                    updated.routes[index].stops[stopIndex].departureMillis = waitUntil + service
                    changed = true
                }
                time = waitUntil + service
            }
        }
        guard changed else { return }
        let fresh = updated
        guard let id = UUID(uuidString: plan.id) else { return }
        _ = try await repository.modify(id: id) { stored in
            // Progress may have moved on since the pass began: keep it, take only the new ETAs of stops not done.
            var merged = stored
            for (index, route) in fresh.routes.enumerated() where index < merged.routes.count {
                for stop in merged.routes[index].completedStops..<merged.routes[index].stops.count {
                    merged.routes[index].stops[stop].arrivalMillis = route.stops[stop].arrivalMillis
                    merged.routes[index].stops[stop].serviceStartMillis = route.stops[stop].serviceStartMillis
                    merged.routes[index].stops[stop].departureMillis = route.stops[stop].departureMillis
                }
            }
            return merged
        }
    }

    /// Re-optimises the stops `plan` has left over its vehicles as they are now, and dispatches the result.
    func replan(_ plan: Plan, reason: String) async throws {
        guard let planID = UUID(uuidString: plan.id), let original = try await repository.request(id: planID) else { return }
        var request = original
        let remaining = Set(plan.routes.flatMap { $0.stops.dropFirst($0.completedStops).map(\.id) })
        request.stops = original.stops.filter { remaining.contains($0.id) }
        guard !request.stops.isEmpty else { return }
        // Vehicles start where they are; a route's end stays as asked.
        request.vehicles = original.vehicles.map { vehicle in
            var now = vehicle
            if now.end == nil, now.start != nil, now.returnToStart ?? true { now.end = now.start }
            now.start = nil
            return now
        }
        var options = request.options ?? PlanRequest.Options()
        options.async = false
        options.timeLimitMillis = min(options.timeLimitMillis ?? plans.limits.defaultTimeLimitMillis, plans.limits.syncMaxTimeLimitMillis)
        request.options = options
        let next = try await plans.solveNow(request, replacing: plan.id)
        logger.notice(
            "Plan re-optimised", metadata: ["plan.id": "\(plan.id)", "plan.next": "\(next.id)", "reason": "\(reason)"])
        _ = try await repository.modify(id: planID) { stored in
            var old = stored
            old.replacedBy = next.id
            return old
        }
        if let dispatcher, let nextID = UUID(uuidString: next.id) {
            _ = try await dispatcher.dispatch(planID: nextID)
        }
    }
}
