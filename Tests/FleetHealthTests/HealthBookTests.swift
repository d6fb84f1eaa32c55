import FleetCore
import FleetHealthRules
import Testing

@testable import FleetHealth

@Suite("Bounded per-vehicle state")
struct HealthBookTests {
    func sample(_ id: String, at time: Int64, battery: Double = 80) -> Telemetry {
        Telemetry(
            vehicleID: try! VehicleID(id), sequence: 1, deviceTimeMillis: time, position: Position(latitude: 43.7, longitude: 7.4),
            speedMetersPerSecond: 5, headingDegrees: 0, odometerMeters: 0, batteryPercent: battery, status: .moving)
    }

    @Test("vehicles that come and go are forgotten; the cap holds; vehicles with something active are kept")
    func comesAndGoes() throws {
        let book = HealthBook(rules: HealthRules(faultCodes: try FaultCodeTable.bundled(), detectsAnomalies: true))
        let t0: Int64 = 1_764_000_000_000
        for index in 0..<3_000 { #expect(book.observe(sample("quiet-\(index)", at: t0), receivedMillis: t0).isEmpty) }
        for index in 0..<10 {
            let proposed = book.observe(sample("low-\(index)", at: t0, battery: 5), receivedMillis: t0)
            #expect(proposed.map(\.condition.key) == ["low_battery"])
            book.sync(AppliedTransitions(confirmed: proposed, active: [proposed[0].vehicleID: [proposed[0].condition: t0]]))
        }
        #expect(book.count == 3_010)
        #expect(book.takeSeen().count == 3_010)
        #expect(book.takeSeen().isEmpty, "taken once")

        // Gone quiet for longer than the idle limit: forgotten, except those with a condition to leave later.
        #expect(book.forget(idleBeforeMillis: t0 + 1, maxVehicles: 1_000_000) == 3_000)
        #expect(book.count == 10)
        #expect(book.vehicle(try VehicleID("low-3"))?.isActive(HealthCondition(.lowBattery)) == true)

        // Over the cap: the longest-unheard with nothing active go first, down to the cap.
        for index in 0..<2_000 {
            let time = t0 + 1_000 + Int64(index)
            _ = book.observe(sample("new-\(index)", at: time), receivedMillis: time)
        }
        #expect(book.forget(idleBeforeMillis: t0 - 1, maxVehicles: 500) == 1_510)
        #expect(book.count == 500)
        #expect(book.vehicle(try VehicleID("new-1999")) != nil, "the most recent stay")
        #expect(book.vehicle(try VehicleID("new-0")) == nil)
        #expect((0..<10).allSatisfy { book.vehicle(try! VehicleID("low-\($0)")) != nil })
    }

    @Test("one vehicle's live state is a fixed, small value (the 300 MB budget for 100,000 vehicles is ~3 KB each, all included)")
    func stateSize() {
        print("MemoryLayout<VehicleHealth>.size = \(MemoryLayout<VehicleHealth>.size) bytes")
        #expect(MemoryLayout<VehicleHealth>.size <= 768)
    }

    @Test("a flush that failed is put back without overwriting newer sightings")
    func restoreSeen() throws {
        let book = HealthBook(rules: HealthRules(faultCodes: try FaultCodeTable.bundled()))
        _ = book.observe(sample("a", at: 1_000), receivedMillis: 1_000)
        let taken = book.takeSeen()
        _ = book.observe(sample("a", at: 2_000), receivedMillis: 2_000)
        book.restoreSeen(taken)
        #expect(book.takeSeen().map(\.lastSeenMillis) == [2_000])
    }
}
