import FleetCore
import FleetGeo
import FleetSimulation
import Testing

/// The vehicle model on the real Monaco road network, driven by the test's own clock (one step = one second).
@Suite("Road fleet on Monaco")
struct RoadFleetTests {
    static let start: Int64 = 1_790_000_000_000

    func fleet(vehicles: Int, seed: UInt64, faults: FaultRates = .none) throws -> RoadFleet {
        try RoadFleet(
            graph: try Monaco.graph.get(), setup: FleetSetup(vehicleCount: vehicles, seed: seed, faults: faults),
            components: try Monaco.components.get())
    }

    /// Runs `steps` one-second steps and returns every output.
    func run(_ fleet: inout RoadFleet, steps: Int) -> [[FleetOutput]] {
        (0..<steps).map { fleet.step(seconds: 1, nowMillis: Self.start + Int64($0) * 1000) }
    }

    @Test("Vehicles drive along Monaco's roads at plausible speeds, stop at destinations and report valid telemetry")
    func drivesOnRoads() throws {
        var fleet = try fleet(vehicles: 30, seed: 7)
        let index = try Monaco.spatialIndex.get()
        #expect(fleet.vehicleIDs.first?.rawValue == "sim-0001" && fleet.vehicleIDs.last?.rawValue == "sim-0030")
        var lastOdometer = [Double](repeating: 0, count: 30)
        var arrivals = 0
        var moving = Set<Int>()
        for second in 0..<900 {
            let outputs = fleet.step(seconds: 1, nowMillis: Self.start + Int64(second) * 1000)
            var samples = 0
            for output in outputs {
                switch output {
                case .telemetry(let vehicle, let sample):
                    samples += 1
                    _ = try FleetCodec.encode(sample)  // validates every field
                    #expect(sample.deviceTimeMillis == Self.start + Int64(second) * 1000)
                    #expect(sample.speedMetersPerSecond <= fleet.kind(of: vehicle).maximumSpeed + 0.01)
                    #expect(sample.odometerMeters >= lastOdometer[vehicle])
                    lastOdometer[vehicle] = sample.odometerMeters
                    if sample.status == .moving { moving.insert(vehicle) }
                    // No faults: the reported position is the true one, on a road.
                    let truth = fleet.position(of: vehicle)
                    #expect(GeoCoordinate(latitude: sample.position.latitude, longitude: sample.position.longitude).distance(to: truth) < 0.05)
                case .statusChanged(let vehicle, .idle) where moving.contains(vehicle):
                    arrivals += 1
                default:
                    break
                }
            }
            #expect(samples == 30)
        }
        #expect(moving.count == 30)
        #expect(arrivals >= 10)
        // A vehicle drives kilometres in 15 minutes, not metres and not hundreds of kilometres.
        #expect(lastOdometer.filter { $0 > 300 && $0 < 30_000 }.count >= 25)
        for vehicle in 0..<30 {
            let snap = try #require(index.nearest(to: fleet.position(of: vehicle)))
            #expect(snap.distance < 1.0, "vehicle \(vehicle) is \(snap.distance) m from the nearest road")
        }
    }

    @Test("The same seed gives the same vehicles, routes and faults; another seed does not")
    func reproducible() throws {
        let faults = FaultRates.default.scaled(by: 50)
        var first = try fleet(vehicles: 20, seed: 42, faults: faults)
        var second = try fleet(vehicles: 20, seed: 42, faults: faults)
        var other = try fleet(vehicles: 20, seed: 43, faults: faults)
        let a = run(&first, steps: 400), b = run(&second, steps: 400), c = run(&other, steps: 400)
        #expect(a == b)
        #expect(first.faultCounts == second.faultCounts)
        #expect(!first.faultCounts.isEmpty)
        #expect(a != c)
        #expect((0..<20).map(first.kind(of:)) == (0..<20).map(second.kind(of:)))
    }

    @Test("A paused vehicle stays where it is; resumed, it drives on")
    func pauseAndResume() throws {
        var fleet = try fleet(vehicles: 5, seed: 3)
        _ = run(&fleet, steps: 30)
        let vehicle = try #require((0..<5).first { fleet.speed(of: $0) > 0.5 })
        let pause = try Command(
            id: MessageID("pause-1"), vehicleID: fleet.vehicleIDs[vehicle], action: .pause, issuedAtMillis: Self.start,
            expiresAtMillis: Self.start + 60_000)
        #expect(fleet.execute(pause, vehicle: vehicle, nowMillis: Self.start) == .completed)
        let held = fleet.position(of: vehicle)
        for outputs in run(&fleet, steps: 120) {
            for case .telemetry(vehicle, let sample) in outputs {
                #expect(sample.status == .paused)
                #expect(sample.speedMetersPerSecond == 0)
            }
            #expect(fleet.position(of: vehicle) == held)
        }
        var resume = pause
        resume.id = try MessageID("resume-1")
        resume.action = .resume
        #expect(fleet.execute(resume, vehicle: vehicle, nowMillis: Self.start) == .completed)
        _ = run(&fleet, steps: 90)
        #expect(fleet.position(of: vehicle) != held)
    }

    @Test("return_to_base completes when the vehicle reaches its depot, and a speed limit caps its speed")
    func returnToBaseAndSpeedLimit() throws {
        var fleet = try fleet(vehicles: 4, seed: 11)
        _ = run(&fleet, steps: 60)
        let id = fleet.vehicleIDs[2]
        let limit = try Command(
            id: MessageID("limit-1"), vehicleID: id, action: .setSpeedLimit(metersPerSecond: 2), issuedAtMillis: Self.start,
            expiresAtMillis: Self.start + 60_000)
        #expect(fleet.execute(limit, vehicle: 2, nowMillis: Self.start) == .completed)
        let home = try Command(
            id: MessageID("home-1"), vehicleID: id, action: .returnToBase, issuedAtMillis: Self.start,
            expiresAtMillis: Self.start + 60_000)
        #expect(fleet.execute(home, vehicle: 2, nowMillis: Self.start) == .accepted)
        var completed = false
        // It brakes down to the limit within a few seconds, then keeps to it.
        for (second, outputs) in run(&fleet, steps: 3_600).enumerated() where !completed {
            for output in outputs {
                if case .telemetry(2, let sample) = output, second >= 10 { #expect(sample.speedMetersPerSecond <= 2.0001) }
                if case .commandFinished(2, let commandID, .completed, _) = output, commandID == home.id { completed = true }
            }
        }
        #expect(completed)
        let depot = try Monaco.graph.get().coordinate(of: fleet.home(of: 2))
        #expect(fleet.position(of: 2).distance(to: depot) < 0.01)
        // Parked at the depot until resumed.
        _ = run(&fleet, steps: 120)
        #expect(fleet.position(of: 2).distance(to: depot) < 0.01)
    }
}
