import FleetCore
import FleetGeo
import FleetVRP
import Foundation

/// Turns an optimisation request into a plan: vehicles screened for health and position, everything snapped to the
/// road network, a travel-time matrix from the contraction hierarchy (with live traffic), the solver, and the answer
/// checked, timed and drawn on the roads.
///
/// Stops are prize-collecting with a prize far above any detour (scaled by priority), so the solver serves every stop
/// it can and, when the fleet cannot serve all, drops the lowest priorities first; each stop left out is reported
/// with the reason.
struct Planner: Sendable {
    let network: RoadNetwork
    let limits: PlanningLimits

    /// Cost of an arc the network cannot drive (kept finite so sums never overflow).
    static let unreachable = 1_000_000_000

    /// One vehicle that may be given a route.
    private struct Candidate {
        var id: String
        var start: Waypoint
        var end: Waypoint?
        var vehicle: VRPVehicle
    }

    /// One stop the solver sees.
    private struct Eligible {
        var index: Int
        var waypoint: Waypoint
    }

    /// Solves `request` as of `nowMillis`. Never throws: what cannot be planned is reported in the plan.
    func plan(
        _ request: PlanRequest, id: String, fleet: FleetView.Snapshot, createdAtMillis: Int64, nowMillis: Int64,
        trafficAtMillis: Int64?
    ) -> Plan {
        var plan = Plan(id: id, status: .done, createdAtMillis: createdAtMillis)
        let options = request.options ?? PlanRequest.Options()
        let useTraffic = options.useTraffic ?? true
        let hierarchy = useTraffic ? network.hierarchy : network.freeFlow
        let respectHealth = options.respectHealth ?? true

        // Skills as bits, in order of first appearance.
        var skillBits: [String: UInt64] = [:]
        for skill in request.vehicles.flatMap({ $0.skills ?? [] }) + request.stops.flatMap({ $0.skills ?? [] })
        where skillBits[skill] == nil {
            skillBits[skill] = 1 << UInt64(skillBits.count)
        }
        func bits(_ skills: [String]?) -> UInt64 { (skills ?? []).reduce(0) { $0 | (skillBits[$1] ?? 0) } }
        func seconds(_ millis: Int64, roundingUp: Bool) -> Int {
            let delta = millis - nowMillis
            return Int(roundingUp ? (delta + 999).dividedRoundingDown(by: 1_000) : delta.dividedRoundingDown(by: 1_000))
        }

        // Vehicles: health, start, end, shift.
        var candidates: [Candidate] = []
        for vehicle in request.vehicles {
            let conditions = fleet.conditions[vehicle.id] ?? VehicleConditions()
            if respectHealth {
                if !conditions.openFaults.isEmpty {
                    plan.excludedVehicles.append(.init(
                        vehicleID: vehicle.id, reason: "breakdown",
                        detail: "open critical fault \(conditions.openFaults.sorted().joined(separator: ", "))"))
                    continue
                }
                if conditions.lowBattery {
                    plan.excludedVehicles.append(.init(
                        vehicleID: vehicle.id, reason: "low_battery", detail: "battery reported low and not recovered"))
                    continue
                }
                if conditions.offline, vehicle.start == nil {
                    plan.excludedVehicles.append(.init(vehicleID: vehicle.id, reason: "offline", detail: "vehicle is offline"))
                    continue
                }
            }
            let startPoint: GeoCoordinate
            if let start = vehicle.start {
                startPoint = GeoCoordinate(latitude: start.lat, longitude: start.lon)
            } else if let live = fleet.positions[vehicle.id], nowMillis - live.millis <= limits.positionMaxAgeMillis {
                startPoint = live.coordinate
            } else {
                plan.excludedVehicles.append(.init(
                    vehicleID: vehicle.id, reason: "no_position",
                    detail: "no start given and no position heard in the last \(limits.positionMaxAgeMillis / 1_000) s"))
                continue
            }
            guard let start = network.waypoint(near: startPoint, within: limits.snapRadiusMeters) else {
                plan.excludedVehicles.append(.init(
                    vehicleID: vehicle.id, reason: "unreachable_location",
                    detail: "start is more than \(Int(limits.snapRadiusMeters)) m from a drivable road"))
                continue
            }
            var end: Waypoint?
            if let point = vehicle.end {
                guard let waypoint = network.waypoint(
                    near: GeoCoordinate(latitude: point.lat, longitude: point.lon), within: limits.snapRadiusMeters)
                else {
                    plan.excludedVehicles.append(.init(
                        vehicleID: vehicle.id, reason: "unreachable_location",
                        detail: "end is more than \(Int(limits.snapRadiusMeters)) m from a drivable road"))
                    continue
                }
                end = waypoint
            } else if vehicle.start != nil, vehicle.returnToStart ?? true {
                end = start
            }
            let shiftStart = max(0, seconds(vehicle.shift?.startMillis ?? nowMillis, roundingUp: true))
            let shiftEnd = vehicle.shift?.endMillis.map { seconds($0, roundingUp: false) } ?? VRPProblem.unbounded
            guard shiftEnd >= shiftStart else {
                plan.excludedVehicles.append(.init(vehicleID: vehicle.id, reason: "shift_over", detail: "the shift has ended"))
                continue
            }
            var maximumDuration = vehicle.maxDurationSeconds
            if respectHealth, let due = conditions.maintenanceDueMillis, nowMillis - due < limits.maintenanceHoldMillis {
                maximumDuration = min(maximumDuration ?? .max, limits.maintenanceMaxSeconds)
                plan.limitedVehicles.append(.init(
                    vehicleID: vehicle.id, reason: "maintenance_due",
                    detail: "maintenance due: routes limited to \(limits.maintenanceMaxSeconds / 60) min"))
            }
            candidates.append(Candidate(
                id: vehicle.id, start: start, end: end,
                vehicle: VRPVehicle(
                    startLocation: 0, endLocation: nil, capacity: vehicle.capacity ?? 1_000_000_000, shiftStart: shiftStart,
                    shiftEnd: shiftEnd, maximumDuration: maximumDuration, skills: vehicle.skills == nil ? 0 : bits(vehicle.skills))))
        }

        // Stops: snapped, windows in seconds from now.
        var eligible: [Eligible] = []
        var windows: [(Int, Int)] = []
        for (index, stop) in request.stops.enumerated() {
            guard let waypoint = network.waypoint(
                near: GeoCoordinate(latitude: stop.location.lat, longitude: stop.location.lon), within: limits.snapRadiusMeters)
            else {
                plan.unassigned.append(.init(
                    id: stop.id, reason: "unreachable_location",
                    detail: "more than \(Int(limits.snapRadiusMeters)) m from a drivable road"))
                continue
            }
            let early = max(0, seconds(stop.timeWindow?.startMillis ?? nowMillis, roundingUp: true))
            let late = stop.timeWindow?.endMillis.map { seconds($0, roundingUp: false) } ?? VRPProblem.unbounded
            guard late >= 0, late >= early else {
                plan.unassigned.append(.init(id: stop.id, reason: "time_window_passed", detail: "the time window has closed"))
                continue
            }
            eligible.append(Eligible(index: index, waypoint: waypoint))
            windows.append((early, late))
        }
        guard !candidates.isEmpty else {
            for stop in eligible {
                plan.unassigned.append(.init(
                    id: request.stops[stop.index].id, reason: "no_vehicle_available", detail: "every vehicle was left out"))
            }
            plan.summary = Self.summary(plan)
            return plan
        }

        // Locations: vehicle starts, vehicle ends, stops.
        var waypoints = candidates.map(\.start)
        var endLocation: [Int?] = []
        for candidate in candidates {
            if let end = candidate.end {
                endLocation.append(waypoints.count)
                waypoints.append(end)
            } else {
                endLocation.append(nil)
            }
        }
        let firstStopLocation = waypoints.count
        waypoints += eligible.map(\.waypoint)
        let matrix = hierarchy.matrix(from: waypoints, to: waypoints)
        let count = waypoints.count
        var distances = [Int](repeating: 0, count: count * count)
        var durations = [Int](repeating: 0, count: count * count)
        var longest = 0
        for from in 0..<count {
            for to in 0..<count where from != to {
                if let duration = matrix.duration(from: from, to: to), let distance = matrix.distance(from: from, to: to) {
                    durations[from * count + to] = Int(duration.rounded(.up))
                    distances[from * count + to] = Int(distance.rounded())
                    longest = max(longest, distances[from * count + to])
                } else {
                    durations[from * count + to] = Self.unreachable
                    distances[from * count + to] = Self.unreachable
                }
            }
        }

        // Stops no vehicle could ever serve are reported now, with the constraint that rules them out.
        var clients: [VRPClient] = []
        var clientStop: [Int] = []
        let prizeUnit = 10 * longest + 10_000
        for (offset, stop) in eligible.enumerated() {
            let request = request.stops[stop.index]
            let location = firstStopLocation + offset
            let skills = bits(request.skills)
            let demand = request.demand ?? 0
            let service = request.serviceSeconds ?? 0
            let (early, late) = windows[offset]
            let skilled = candidates.indices.filter { skills & ~candidates[$0].vehicle.skills == 0 }
            guard !skilled.isEmpty else {
                plan.unassigned.append(.init(
                    id: request.id, reason: "no_vehicle_with_skills",
                    detail: "no available vehicle has \((request.skills ?? []).joined(separator: ", "))"))
                continue
            }
            guard skilled.contains(where: { candidates[$0].vehicle.capacity >= demand }) else {
                plan.unassigned.append(.init(
                    id: request.id, reason: "demand_exceeds_capacity", detail: "demand \(demand) exceeds every suitable vehicle's capacity"))
                continue
            }
            let reachable = skilled.filter { durations[$0 * count + location] < Self.unreachable }
            guard !reachable.isEmpty else {
                plan.unassigned.append(.init(
                    id: request.id, reason: "unreachable_location", detail: "no suitable vehicle can drive there"))
                continue
            }
            let inTime = reachable.contains { vehicleIndex in
                let vehicle = candidates[vehicleIndex].vehicle
                let arrival = vehicle.shiftStart + durations[vehicleIndex * count + location]
                let back = endLocation[vehicleIndex].map { durations[location * count + $0] } ?? 0
                return arrival <= late && max(arrival, early) + service + back <= vehicle.shiftEnd
            }
            guard inTime else {
                plan.unassigned.append(.init(
                    id: request.id, reason: "time_window_unreachable",
                    detail: "no suitable vehicle can get there within the time window and its shift"))
                continue
            }
            clients.append(VRPClient(
                location: location, demand: demand, serviceDuration: service, earliest: early, latest: late,
                requiredSkills: skills, isRequired: false, prize: prizeUnit * (request.priority ?? 1)))
            clientStop.append(stop.index)
        }

        let vehicles = candidates.indices.map { index in
            var vehicle = candidates[index].vehicle
            vehicle.startLocation = index
            vehicle.endLocation = endLocation[index]
            return vehicle
        }
        let problem: VRPProblem
        do {
            problem = try VRPProblem(
                locationCount: count, distances: distances, durations: durations, clients: clients, vehicles: vehicles)
        } catch {
            plan.status = .failed
            plan.error = "\(error)"
            return plan
        }
        let timeLimit = options.timeLimitMillis ?? limits.defaultTimeLimitMillis
        let seed = options.seed ?? 1
        let result = VRPSolver(problem: problem).solve(parameters: .init(seed: seed, timeLimit: .milliseconds(timeLimit)))
        let report = FeasibilityChecker.check(result.solution, against: problem, departAtShiftStart: true)

        for schedule in report.routes {
            let candidate = candidates[schedule.vehicle]
            var stops: [Plan.PlannedStop] = []
            var points: [Waypoint] = [candidate.start]
            var load = 0
            for (position, client) in schedule.clients.enumerated() {
                let stop = request.stops[clientStop[client]]
                let arrival = nowMillis + Int64(schedule.arrivals[position]) * 1_000
                let serviceStart = nowMillis + Int64(schedule.serviceStarts[position]) * 1_000
                stops.append(Plan.PlannedStop(
                    id: stop.id, lat: stop.location.lat, lon: stop.location.lon, arrivalMillis: arrival,
                    serviceStartMillis: serviceStart, departureMillis: serviceStart + Int64(stop.serviceSeconds ?? 0) * 1_000,
                    windowStartMillis: stop.timeWindow?.startMillis, windowEndMillis: stop.timeWindow?.endMillis))
                points.append(waypoints[problem.clients[client].location])
                load += stop.demand ?? 0
            }
            if let end = candidate.end { points.append(end) }
            plan.routes.append(Plan.VehicleRoute(
                vehicleID: candidate.id, stops: stops, startMillis: nowMillis + Int64(schedule.departure) * 1_000,
                endMillis: nowMillis + Int64(schedule.end) * 1_000, distanceMeters: Double(schedule.distance),
                durationSeconds: Double(schedule.end - schedule.departure), load: load,
                geometry: Self.geometry(of: points, hierarchy: hierarchy), completedStops: 0))
        }
        let planned = Set(result.solution.routes.joined())
        for client in problem.clients.indices where !planned.contains(client) {
            let stop = request.stops[clientStop[client]]
            let (reason, detail) = Self.whyUnplanned(client, in: result.solution, problem: problem)
            plan.unassigned.append(.init(id: stop.id, reason: reason, detail: detail))
        }
        plan.solver = Plan.SolverInfo(
            iterations: result.iterations,
            elapsedMillis: Int(result.elapsed.components.seconds * 1_000 + result.elapsed.components.attoseconds / 1_000_000_000_000_000),
            seed: seed, timeLimitMillis: timeLimit, feasible: result.isFeasible && report.isFeasible,
            trafficAtMillis: useTraffic ? trafficAtMillis : nil)
        plan.summary = Self.summary(plan)
        return plan
    }

    /// The route on the roads through `points`, as a GeoJSON line (`[lon, lat]`, 6 decimals).
    static func geometry(of points: [Waypoint], hierarchy: ContractionHierarchy) -> Plan.GeoLineString {
        var coordinates: [[Double]] = []
        func add(_ coordinate: GeoCoordinate) {
            let pair = [(coordinate.longitude * 1e6).rounded() / 1e6, (coordinate.latitude * 1e6).rounded() / 1e6]
            if coordinates.last != pair { coordinates.append(pair) }
        }
        for (from, to) in zip(points, points.dropFirst()) {
            if let path = hierarchy.path(from: from, to: to) {
                path.coordinates.forEach(add)
            } else {
                add(from.coordinate)
                add(to.coordinate)
            }
        }
        if coordinates.count == 1 { coordinates.append(coordinates[0]) }
        if coordinates.isEmpty, let only = points.first {
            add(only.coordinate)
            coordinates.append(coordinates[0])
        }
        return Plan.GeoLineString(coordinates: coordinates)
    }

    /// The constraint that keeps `client` out: every insertion into every route is tried and checked.
    static func whyUnplanned(_ client: Int, in solution: VRPSolution, problem: VRPProblem) -> (String, String) {
        var capacity = 0
        var time = 0
        var feasible = 0
        for vehicle in solution.routes.indices {
            for position in 0...solution.routes[vehicle].count {
                var trial = solution
                trial.routes[vehicle].insert(client, at: position)
                let violations = FeasibilityChecker.check(trial, against: problem).violations
                if violations.isEmpty {
                    feasible += 1
                } else if violations.allSatisfy({ $0.contains("capacity") }) {
                    capacity += 1
                } else {
                    time += 1
                }
            }
        }
        if feasible > 0 {
            return ("time_limit", "a place exists but the solver did not reach it within the time limit")
        }
        if capacity > 0, time == 0 {
            return ("insufficient_capacity", "every vehicle that could serve it is full")
        }
        return ("time_conflict", "no vehicle can fit it in its time window and shift alongside higher-priority stops")
    }

    static func summary(_ plan: Plan) -> Plan.Summary {
        Plan.Summary(
            distanceMeters: plan.routes.reduce(0) { $0 + $1.distanceMeters },
            durationSeconds: plan.routes.reduce(0) { $0 + $1.durationSeconds },
            vehiclesUsed: plan.routes.count, stopsAssigned: plan.routes.reduce(0) { $0 + $1.stops.count },
            stopsUnassigned: plan.unassigned.count)
    }
}

extension Int64 {
    /// Floor division (toward −∞).
    func dividedRoundingDown(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
