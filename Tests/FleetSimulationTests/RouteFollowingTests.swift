import FleetCore
import FleetGeo
import FleetSimulation
import Testing

/// `follow_route` on the Monaco road fleet, driven by the test's own clock (one step = one second).
@Suite("Road fleet follows routes")
struct RouteFollowingTests {
    static let start: Int64 = 1_790_000_000_000

    func fleet(vehicles: Int, seed: UInt64) throws -> RoadFleet {
        try RoadFleet(
            graph: try Monaco.graph.get(), setup: FleetSetup(vehicleCount: vehicles, seed: seed, faults: .none),
            components: try Monaco.components.get())
    }

    /// Three nodes of the largest component, spread over the map, as stops with the given service times.
    func stops(service: [Int] = [20, 0, 10]) throws -> [RouteStop] {
        let graph = try Monaco.graph.get()
        let nodes = try Monaco.components.get().largestComponentNodes
        return [nodes.count / 5, nodes.count / 2, nodes.count * 4 / 5].enumerated().map { position, index in
            let coordinate = graph.coordinate(of: nodes[index])
            return RouteStop(id: "stop-\(position + 1)", latitude: coordinate.latitude, longitude: coordinate.longitude, serviceSeconds: service[position])
        }
    }

    func command(_ id: String, _ vehicle: VehicleID, _ action: CommandAction) throws -> Command {
        try Command(id: MessageID(id), vehicleID: vehicle, action: action, issuedAtMillis: Self.start, expiresAtMillis: Self.start + 60_000)
    }

    /// What one vehicle reported over a run.
    struct Observed {
        var samples: [Telemetry] = []
        var finished: [(commandID: MessageID, status: CommandAckStatus, reason: String?, second: Int)] = []
    }

    /// Steps `fleet` from `second` until `done` holds for what `vehicle` reported (or `limit` steps pass).
    func run(
        _ fleet: inout RoadFleet, vehicle: Int, from second: inout Int, limit: Int, into observed: inout Observed,
        until done: (Observed) -> Bool = { _ in false }
    ) {
        for _ in 0..<limit {
            for output in fleet.step(seconds: 1, nowMillis: Self.start + Int64(second) * 1000) {
                switch output {
                case .telemetry(vehicle, let sample): observed.samples.append(sample)
                case .commandFinished(vehicle, let id, let status, let reason): observed.finished.append((id, status, reason, second))
                default: break
                }
            }
            second += 1
            if done(observed) { return }
        }
    }

    @Test("A vehicle drives three stops in order, serves each, reports completed_stops 1, 2, 3 and acknowledges completed")
    func drivesStopsInOrder() throws {
        var fleet = try fleet(vehicles: 6, seed: 5)
        let vehicle = try #require((0..<6).first { fleet.kind(of: $0) == .van })
        var second = 0
        var observed = Observed()
        run(&fleet, vehicle: vehicle, from: &second, limit: 30, into: &observed)
        #expect(observed.samples.allSatisfy { $0.route == nil })

        let stops = try stops()
        let follow = try command("route-1", fleet.vehicleIDs[vehicle], .followRoute(RouteInstruction(routeID: "plan-1", stops: stops)))
        #expect(fleet.execute(follow, vehicle: vehicle, nowMillis: Self.start) == .accepted)
        observed = Observed()
        run(&fleet, vehicle: vehicle, from: &second, limit: 3_600, into: &observed) { !$0.finished.isEmpty }

        let finished = try #require(observed.finished.first, "no acknowledgement after an hour")
        #expect(finished.commandID == follow.id)
        #expect(finished.status == .completed)
        #expect(observed.finished.count == 1)
        // Every sample reports progress; completed_stops only grows, one at a time, and the next stop follows the plan.
        let progress = observed.samples.compactMap(\.route)
        #expect(progress.count == observed.samples.count)
        #expect(progress.allSatisfy { $0.routeID == "plan-1" })
        var firstReports: [Int: Int64] = [:]
        var previous = 0
        for (sample, report) in zip(observed.samples, progress) {
            #expect(report.completedStops == previous || report.completedStops == previous + 1)
            previous = report.completedStops
            #expect(report.nextStopID == (report.completedStops < 3 ? stops[report.completedStops].id : nil))
            if firstReports[report.completedStops] == nil { firstReports[report.completedStops] = sample.deviceTimeMillis }
            try #require(throws: Never.self) { try sample.validate() }
        }
        let one = try #require(firstReports[1]), two = try #require(firstReports[2]), three = try #require(firstReports[3])
        #expect(one < two && two < three)
        #expect(progress.last?.completedStops == 3)
        // The completed acknowledgement comes with the sample that first reports the third stop done.
        #expect(Self.start + Int64(finished.second) * 1000 == three)
        // Stop 1 was served for its 20 s standing still, before stop 2 was done.
        let serving = zip(observed.samples, progress).filter { $0.1.completedStops == 0 && $0.0.speedMetersPerSecond == 0 }
        #expect(serving.count >= 20)
        let last = GeoCoordinate(latitude: stops[2].latitude, longitude: stops[2].longitude)
        #expect(fleet.position(of: vehicle).distance(to: last) < 0.01)

        // After the last stop it stands, still reporting the finished route, until resumed.
        observed = Observed()
        run(&fleet, vehicle: vehicle, from: &second, limit: 120, into: &observed)
        #expect(fleet.position(of: vehicle).distance(to: last) < 0.01)
        #expect(observed.samples.allSatisfy { $0.route == RouteProgress(routeID: "plan-1", completedStops: 3) && $0.speedMetersPerSecond == 0 })
        #expect(fleet.execute(try command("resume-1", fleet.vehicleIDs[vehicle], .resume), vehicle: vehicle, nowMillis: Self.start) == .completed)
        observed = Observed()
        run(&fleet, vehicle: vehicle, from: &second, limit: 180, into: &observed)
        #expect(observed.samples.allSatisfy { $0.route == nil })
        #expect(fleet.position(of: vehicle).distance(to: last) > 1)
    }

    @Test("Pause holds a vehicle mid-route and resume continues it; a new route replaces the current one")
    func pauseResumeAndReplace() throws {
        var fleet = try fleet(vehicles: 8, seed: 9)
        let vehicle = try #require((0..<8).first { fleet.kind(of: $0) == .van })
        let id = fleet.vehicleIDs[vehicle]
        var second = 0
        var observed = Observed()
        let stops = try stops(service: [0, 0, 0])
        let first = try command("route-a", id, .followRoute(RouteInstruction(routeID: "plan-a", stops: stops)))
        #expect(fleet.execute(first, vehicle: vehicle, nowMillis: Self.start) == .accepted)
        run(&fleet, vehicle: vehicle, from: &second, limit: 20, into: &observed)
        #expect(fleet.speed(of: vehicle) > 0.5)

        #expect(fleet.execute(try command("pause-1", id, .pause), vehicle: vehicle, nowMillis: Self.start) == .completed)
        let held = fleet.position(of: vehicle)
        observed = Observed()
        run(&fleet, vehicle: vehicle, from: &second, limit: 60, into: &observed)
        #expect(fleet.position(of: vehicle) == held)
        #expect(observed.samples.allSatisfy { $0.status == .paused && $0.route?.completedStops == 0 && $0.route?.nextStopID == "stop-1" })
        #expect(observed.finished.isEmpty)

        #expect(fleet.execute(try command("resume-1", id, .resume), vehicle: vehicle, nowMillis: Self.start) == .completed)
        observed = Observed()
        run(&fleet, vehicle: vehicle, from: &second, limit: 3_600, into: &observed) { $0.samples.last?.route?.completedStops == 1 }
        #expect(observed.samples.last?.route == RouteProgress(routeID: "plan-a", completedStops: 1, nextStopID: "stop-2"))
        #expect(fleet.position(of: vehicle) != held)

        // A second route replaces the first, which is acknowledged failed; the new one starts from zero.
        let replacement = try command("route-b", id, .followRoute(RouteInstruction(routeID: "plan-b", stops: Array(stops.reversed()))))
        #expect(fleet.execute(replacement, vehicle: vehicle, nowMillis: Self.start) == .accepted)
        observed = Observed()
        run(&fleet, vehicle: vehicle, from: &second, limit: 3_600, into: &observed) { $0.finished.count >= 2 }
        #expect(observed.finished.first?.commandID == first.id)
        #expect(observed.finished.first?.status == .failed)
        #expect(observed.finished.first?.reason?.contains("superseded") == true)
        #expect(observed.samples.first?.route == RouteProgress(routeID: "plan-b", completedStops: 0, nextStopID: "stop-3"))
        #expect(observed.finished.last?.commandID == replacement.id)
        #expect(observed.finished.last?.status == .completed)
        #expect(observed.samples.last?.route == RouteProgress(routeID: "plan-b", completedStops: 3))
    }

    @Test("Stops far from the map are refused; vehicles without a route behave exactly as without the command")
    func refusalAndDeterminism() throws {
        var fleet = try fleet(vehicles: 8, seed: 42)
        let far = try command(
            "route-far", fleet.vehicleIDs[0],
            .followRoute(RouteInstruction(routeID: "plan-far", stops: [RouteStop(id: "berlin", latitude: 52.52, longitude: 13.40)])))
        guard case .rejected(let reason) = fleet.execute(far, vehicle: 0, nowMillis: Self.start) else {
            Issue.record("a stop 1,000 km away was accepted")
            return
        }
        #expect(reason.contains("berlin"))

        var plain = try self.fleet(vehicles: 8, seed: 42)
        var routed = try self.fleet(vehicles: 8, seed: 42)
        let follow = try command("route-1", routed.vehicleIDs[3], .followRoute(RouteInstruction(routeID: "plan-1", stops: try stops())))
        for second in 0..<600 {
            if second == 100 { #expect(routed.execute(follow, vehicle: 3, nowMillis: Self.start) == .accepted) }
            let now = Self.start + Int64(second) * 1000
            let a = plain.step(seconds: 1, nowMillis: now).filter { !Self.concerns($0, vehicle: 3) }
            let b = routed.step(seconds: 1, nowMillis: now).filter { !Self.concerns($0, vehicle: 3) }
            #expect(a == b, "second \(second)")
            if a != b { break }
        }
    }

    static func concerns(_ output: FleetOutput, vehicle: Int) -> Bool {
        switch output {
        case .telemetry(let index, _), .statusChanged(let index, _), .connectivityChanged(let index, _), .rawPayload(let index, _, _),
            .commandFinished(let index, _, _, _):
            index == vehicle
        }
    }
}
