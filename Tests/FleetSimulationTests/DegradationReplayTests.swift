import FleetCore
import FleetSimulation
import Testing

@Suite("Degradation replay")
struct DegradationReplayTests {
    let replay = DegradationReplay(
        engines: [0: .init(name: "unit 1", cycles: [1, 2, 3, 4], sensors: [[10], [11], [12], [13]], startIndex: 2)],
        batteries: [0: .init(name: "B0005", capacities: [1.9, 1.8, 1.7], ratedAh: 2, startIndex: 1), 3: .init(name: "B0006", capacities: [2], ratedAh: 2, startIndex: 0)],
        engineCycleSeconds: 3, batteryCycleSeconds: 5)

    @Test("a vehicle reports the cycle due at its elapsed time, from its start; a track that ends starts again from cycle 1")
    func cyclesAdvanceAndWrap() throws {
        let first = try #require(replay.diagnostics(vehicle: 0, elapsedSeconds: 0))
        #expect(first.engineCycle == 3)
        #expect(first.engineSensors == [12])
        #expect(first.batteryCycle == 2)
        #expect(first.batteryCapacityAh == 1.8)
        #expect(first.batteryRatedAh == 2)
        let later = try #require(replay.diagnostics(vehicle: 0, elapsedSeconds: 5.9))
        #expect(later.engineCycle == 4)
        #expect(later.batteryCycle == 3)
        let wrapped = try #require(replay.diagnostics(vehicle: 0, elapsedSeconds: 6))
        #expect(wrapped.engineCycle == 1, "overhauled: the counter starts again")
        #expect(try wrapped.validate() == ())
    }

    @Test("vehicles without a track report no diagnostics; a battery-only vehicle reports only its battery")
    func unassigned() throws {
        #expect(replay.diagnostics(vehicle: 1, elapsedSeconds: 10) == nil)
        let battery = try #require(replay.diagnostics(vehicle: 3, elapsedSeconds: 10))
        #expect(battery.engineCycle == nil && battery.engineSensors.isEmpty)
        #expect(battery.batteryCapacityAh == 2)
    }
}
