/// Checks a plan against its problem from first principles: every required stop exactly once, capacity, skills, time
/// windows, shifts and maximum durations, by simulating each route stop by stop.
///
/// Deliberately shares no code with the solver's move evaluation, so the solver's answers can be checked by it.
public enum FeasibilityChecker {
    /// One route as driven: departure as late as the route allows without making it later than it must be.
    public struct RouteSchedule: Hashable, Sendable {
        /// Vehicle index.
        public var vehicle: Int
        /// Stops in order.
        public var clients: [Int]
        /// When the vehicle leaves its start.
        public var departure: Int
        /// Arrival at each stop.
        public var arrivals: [Int]
        /// Start of service at each stop (arrival, or the window's opening when early).
        public var serviceStarts: [Int]
        /// Arrival at the end location (or end of the last service when open-ended).
        public var end: Int
        /// Distance driven, including the way to the end location.
        public var distance: Int
        /// Load carried.
        public var load: Int
    }

    /// The verdict on a whole plan.
    public struct Report: Hashable, Sendable {
        /// Routes of the vehicles that drive.
        public var routes: [RouteSchedule]
        /// Total distance driven.
        public var distance: Int
        /// Distance plus the prizes of optional stops left out (the solver's objective).
        public var objective: Int
        /// Everything wrong with the plan; empty when it is feasible.
        public var violations: [String]
        /// Whether the plan breaks no constraint.
        public var isFeasible: Bool { violations.isEmpty }
    }

    /// Checks `solution` against `problem`. When `departAtShiftStart` is set the vehicles leave at their shift start
    /// (what a dispatched vehicle does); otherwise departure is delayed as far as lateness allows, which gives the
    /// shortest duration (what maximum durations are checked against).
    public static func check(
        _ solution: VRPSolution, against problem: VRPProblem, departAtShiftStart: Bool = false
    ) -> Report {
        var violations: [String] = []
        var seen = [Int](repeating: 0, count: problem.clients.count)
        var schedules: [RouteSchedule] = []
        var distance = 0
        if solution.routes.count != problem.vehicles.count {
            violations.append("the plan has \(solution.routes.count) routes for \(problem.vehicles.count) vehicles")
        }
        for (vehicleIndex, route) in solution.routes.enumerated() where !route.isEmpty {
            guard vehicleIndex < problem.vehicles.count else { break }
            guard route.allSatisfy({ $0 >= 0 && $0 < problem.clients.count }) else {
                violations.append("vehicle \(vehicleIndex): a stop index is out of range")
                continue
            }
            for client in route { seen[client] += 1 }
            let vehicle = problem.vehicles[vehicleIndex]
            let schedule = schedule(route, vehicle: vehicleIndex, problem: problem, delayDeparture: !departAtShiftStart)
            distance += schedule.distance
            violations += problems(of: schedule, vehicle: vehicle, problem: problem)
            schedules.append(schedule)
        }
        var prizes = 0
        for (client, count) in seen.enumerated() {
            if count > 1 { violations.append("stop \(client) is planned \(count) times") }
            if count == 0 {
                if problem.clients[client].isRequired {
                    violations.append("required stop \(client) is not planned")
                } else {
                    prizes += problem.clients[client].prize
                }
            }
        }
        return Report(routes: schedules, distance: distance, objective: distance + prizes, violations: violations)
    }

    private static func problems(of schedule: RouteSchedule, vehicle: VRPVehicle, problem: VRPProblem) -> [String] {
        var found: [String] = []
        let label = "vehicle \(schedule.vehicle)"
        if schedule.load > vehicle.capacity {
            found.append("\(label): load \(schedule.load) exceeds capacity \(vehicle.capacity)")
        }
        for (position, client) in schedule.clients.enumerated() {
            let stop = problem.clients[client]
            if stop.requiredSkills & ~vehicle.skills != 0 { found.append("\(label): lacks a skill stop \(client) needs") }
            if schedule.serviceStarts[position] > stop.latest {
                found.append("\(label): stop \(client) starts at \(schedule.serviceStarts[position]) after \(stop.latest)")
            }
        }
        if schedule.departure < vehicle.shiftStart { found.append("\(label): leaves before its shift") }
        if schedule.end > vehicle.shiftEnd {
            found.append("\(label): ends at \(schedule.end) after its shift ends at \(vehicle.shiftEnd)")
        }
        if let maximum = vehicle.maximumDuration, schedule.end - schedule.departure > maximum {
            found.append("\(label): takes \(schedule.end - schedule.departure), more than \(maximum)")
        }
        return found
    }

    /// Simulates `route`; with `delayDeparture` the departure is the earliest of those giving the shortest duration
    /// without making any stop later than leaving at the shift start would (both found by bisection: departing later
    /// is never earlier anywhere, and never makes the route longer).
    static func schedule(_ route: [Int], vehicle index: Int, problem: VRPProblem, delayDeparture: Bool) -> RouteSchedule {
        let vehicle = problem.vehicles[index]
        let base = simulate(route, vehicle: index, problem: problem, departure: vehicle.shiftStart)
        guard delayDeparture else { return base }
        func lateness(_ schedule: RouteSchedule) -> Int {
            var total = max(schedule.end - vehicle.shiftEnd, 0)
            for (position, client) in route.enumerated() {
                total += max(schedule.serviceStarts[position] - problem.clients[client].latest, 0)
            }
            return total
        }
        func at(_ departure: Int) -> RouteSchedule { simulate(route, vehicle: index, problem: problem, departure: departure) }
        let baseLateness = lateness(base)
        // Latest departure that adds no lateness.
        var low = vehicle.shiftStart
        var high = max(vehicle.shiftEnd, vehicle.shiftStart)
        if lateness(at(high)) <= baseLateness { low = high }
        while high - low > 1 {
            let middle = low + (high - low) / 2
            if lateness(at(middle)) <= baseLateness { low = middle } else { high = middle }
        }
        let latest = at(low)
        let shortest = latest.end - latest.departure
        // Earliest departure that is already that short.
        var early = vehicle.shiftStart
        var late = low
        if base.end - base.departure == shortest { return base }
        while late - early > 1 {
            let middle = early + (late - early) / 2
            let schedule = at(middle)
            if schedule.end - schedule.departure == shortest { late = middle } else { early = middle }
        }
        return at(late)
    }

    private static func simulate(_ route: [Int], vehicle index: Int, problem: VRPProblem, departure: Int) -> RouteSchedule {
        let vehicle = problem.vehicles[index]
        var time = departure
        var location = vehicle.startLocation
        var distance = 0
        var load = 0
        var arrivals: [Int] = []
        var starts: [Int] = []
        for client in route {
            let stop = problem.clients[client]
            time += problem.duration(from: location, to: stop.location)
            distance += problem.distance(from: location, to: stop.location)
            arrivals.append(time)
            time = max(time, stop.earliest)
            starts.append(time)
            time += stop.serviceDuration
            load += stop.demand
            location = stop.location
        }
        if let end = vehicle.endLocation {
            time += problem.duration(from: location, to: end)
            distance += problem.distance(from: location, to: end)
        }
        return RouteSchedule(
            vehicle: index, clients: route, departure: departure, arrivals: arrivals, serviceStarts: starts, end: time,
            distance: distance, load: load)
    }
}
