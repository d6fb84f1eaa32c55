import FleetCore
import FleetGeo
import FleetSimulation
import Testing

/// Every fault the fleet counts must be visible in what it publishes, one-for-one.
@Suite("Fault injection")
struct FaultInjectionTests {
    @Test("A seeded run produces every fault kind, and each counted fault shows up in the outputs")
    func faultsAreObservable() throws {
        let rates = FaultRates(perHour: Dictionary(uniqueKeysWithValues: FaultKind.allCases.map { ($0, 20.0) }), episodeSeconds: 20...60)
        var fleet = try RoadFleet(
            graph: try Monaco.graph.get(), setup: FleetSetup(vehicleCount: 40, seed: 2024, faults: rates),
            components: try Monaco.components.get())
        let vehicles = fleet.vehicleIDs.count
        var observed: [FaultKind: Int] = [:]
        // Per vehicle: whether the previous sample showed each lasting fault (a new run of samples = a new fault).
        var previous = [Set<FaultKind>](repeating: [], count: vehicles)
        var capacity = (0..<vehicles).map(fleet.batteryCapacity(of:))
        var offline = [Bool](repeating: false, count: vehicles)
        let start: Int64 = 1_790_000_000_000
        for second in 0..<1_800 {
            let now = start + Int64(second) * 1000
            for output in fleet.step(seconds: 1, nowMillis: now) {
                switch output {
                case .telemetry(let vehicle, let sample):
                    var showing: Set<FaultKind> = []
                    if sample.faultCodes.contains(FaultCodes.breakdown) { showing.insert(.breakdown) }
                    if sample.faultCodes.contains(FaultCodes.overheating) {
                        showing.insert(.overheating)
                        #expect((sample.engineTemperatureCelsius ?? 0) > 100)
                    }
                    if sample.faultCodes.contains(where: FaultCodes.sensorFaults.contains) { showing.insert(.faultCode) }
                    if sample.position.accuracyMeters == FaultEffects.noisyAccuracyMeters { showing.insert(.gpsNoise) }
                    if sample.deviceTimeMillis != now { showing.insert(.clockSkew) }
                    for kind in showing.subtracting(previous[vehicle]) { observed[kind, default: 0] += 1 }
                    previous[vehicle] = showing
                    let reported = GeoCoordinate(latitude: sample.position.latitude, longitude: sample.position.longitude)
                    if reported.distance(to: fleet.position(of: vehicle)) > 150 { observed[.gpsJump, default: 0] += 1 }
                    if sample.faultCodes.contains(FaultCodes.breakdown) { #expect(sample.status == .fault && sample.speedMetersPerSecond == 0) }
                case .rawPayload(let vehicle, let payload, let kind):
                    observed[kind, default: 0] += 1
                    #expect(throws: WireError.self) { try FleetCodec.decode(Telemetry.self, from: payload) }
                    if kind == .oversizedMessage { #expect(payload.count > FleetLimits.defaultMaxMessageBytes) }
                    #expect(!offline[vehicle])
                case .connectivityChanged(let vehicle, let online):
                    #expect(offline[vehicle] == online)
                    offline[vehicle] = !online
                    if !online { observed[.offlinePeriod, default: 0] += 1 }
                default:
                    break
                }
            }
            for vehicle in 0..<vehicles where fleet.batteryCapacity(of: vehicle) < capacity[vehicle] {
                observed[.batteryDegradation, default: 0] += 1
                capacity[vehicle] = fleet.batteryCapacity(of: vehicle)
            }
        }
        for kind in FaultKind.allCases {
            #expect(fleet.faultCounts[kind, default: 0] > 0, "no \(kind) was injected")
            #expect(observed[kind, default: 0] == fleet.faultCounts[kind, default: 0], "\(kind): observed \(observed[kind, default: 0]), counted \(fleet.faultCounts[kind, default: 0])")
        }
    }

    @Test("Fault rate zero injects nothing")
    func noFaults() throws {
        var fleet = try RoadFleet(
            graph: try Monaco.graph.get(), setup: FleetSetup(vehicleCount: 10, seed: 5, faults: .default.scaled(by: 0)),
            components: try Monaco.components.get())
        for second in 0..<600 {
            for output in fleet.step(seconds: 1, nowMillis: 1_790_000_000_000 + Int64(second) * 1000) {
                if case .telemetry(_, let sample) = output { #expect(sample.faultCodes.isEmpty) }
            }
        }
        #expect(fleet.faultCounts.isEmpty)
    }
}
