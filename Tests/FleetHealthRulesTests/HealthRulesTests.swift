import FleetCore
import FleetHealthRules
import Testing

@Suite("Health rules: enter, stay, leave, never flap")
struct HealthRulesTests {
    @Test("low battery enters below 20 %, stays in the band, clears above 25 %, and noise at a threshold never flaps")
    func lowBattery() {
        var stream = Stream()
        #expect(stream.send(battery: 30).isEmpty)
        let entered = stream.send(battery: 19.5)
        #expect(entered.map(\.eventType) == [.lowBattery])
        #expect(entered.first?.attributes["battery_pct"] == "19.5")
        #expect(entered.first?.severity == .warning)
        // Noise around the enter threshold and inside the band: nothing.
        for level in [20.1, 19.9, 20.4, 19.7, 22, 24.9, 25] { #expect(stream.send(battery: level).isEmpty, "\(level)") }
        #expect(stream.send(battery: 25.1).map(\.eventType) == [.lowBatteryCleared])
        // Noise around the clearing threshold: nothing.
        for level in [24.9, 25.2, 24.8, 25.3, 20.5] { #expect(stream.send(battery: level).isEmpty, "\(level)") }
        #expect(stream.history == ["enter low_battery", "leave low_battery"])
        // Critically low is critical.
        #expect(stream.send(battery: 8).first?.severity == .critical)
    }

    @Test("low fuel has its own band")
    func lowFuel() {
        var stream = Stream()
        #expect(stream.send(fuel: 14).map(\.eventType) == [.lowFuel])
        #expect(stream.send(fuel: 19).isEmpty)
        #expect(stream.send(fuel: 21).map(\.eventType) == [.lowFuelCleared])
    }

    @Test("overheating needs three samples above 110 °C and three below 100 °C; a single spike or dip does nothing")
    func overheating() {
        var stream = Stream()
        #expect(stream.send(temperature: 115).isEmpty)
        #expect(stream.send(temperature: 105).isEmpty)  // the run is broken
        #expect(stream.send(temperature: 112).isEmpty)
        #expect(stream.send(temperature: 113).isEmpty)
        let entered = stream.send(temperature: 114)
        #expect(entered.map(\.eventType) == [.overheating])
        #expect(entered.first?.severity == .critical)
        #expect(stream.send(temperature: 98).isEmpty)
        #expect(stream.send(temperature: 111).isEmpty)  // still hot: the cooling run restarts
        #expect(stream.send(temperature: 99).isEmpty)
        #expect(stream.send(temperature: 95).isEmpty)
        #expect(stream.send(temperature: 90).map(\.eventType) == [.overheatingCleared])
        #expect(stream.history == ["enter overheating", "leave overheating"])
    }

    @Test("a fault code enters at once with the table's severity and text, and clears after three samples without it")
    func faultCodes() {
        var stream = Stream()
        let entered = stream.send(codes: ["p0217"])
        #expect(entered.map(\.condition.key) == ["fault:P0217"])
        #expect(entered.first?.eventType == .fault)
        #expect(entered.first?.severity == .critical)
        #expect(entered.first?.attributes["text"] == "Engine coolant over temperature condition")
        #expect(entered.first?.attributes["system"] == "thermal")
        // An intermittent code does not flap: one sample without it and back.
        #expect(stream.send().isEmpty)
        #expect(stream.send(codes: ["P0217"]).isEmpty)
        #expect(stream.send().isEmpty)
        #expect(stream.send().isEmpty)
        let cleared = stream.send()
        #expect(cleared.map(\.eventType) == [.faultCleared])
        #expect(cleared.first?.attributes["code"] == "P0217")
        #expect(stream.history == ["enter fault:P0217", "leave fault:P0217"])
    }

    @Test("an unknown code gets the table's default; status fault is a breakdown with its own condition")
    func unknownCodeAndStatusFault() {
        var stream = Stream()
        let unknown = stream.send(codes: ["X9999"])
        #expect(unknown.first?.severity == .warning)
        #expect(unknown.first?.attributes["known"] == "false")
        #expect(unknown.first?.attributes["text"] == "Unknown diagnostic trouble code")
        let breakdown = stream.send(speed: 0, status: .fault, codes: ["X9999", "P0A0F"])
        #expect(Set(breakdown.map(\.condition.key)) == ["fault:P0A0F", "status_fault:coded"])
        // The codes tell the breakdown; the coded status keeps the incident open without an event of its own.
        #expect(breakdown.compactMap(\.eventType) == [.fault])
        #expect(breakdown.first { $0.condition.kind == .statusFault }?.eventType == nil)
        var bare = Stream()
        #expect(bare.send(speed: 0, status: .fault).map(\.eventType) == [.fault])
        bare.send()
        bare.send()
        #expect(bare.send().map(\.eventType) == [.faultCleared])
        let table = try! FaultCodeTable.bundled()
        #expect(HealthCondition(.statusFault).incidentCause(faultCodes: table) == .fault)
        #expect(HealthCondition(.statusFault, detail: HealthCondition.coded).incidentCause(faultCodes: table) == .fault)
        #expect(HealthCondition.fault("P0A0F").incidentCause(faultCodes: table) == .fault)
        #expect(HealthCondition.fault("P0420").incidentCause(faultCodes: table) == nil)
        #expect(HealthScore.score(stream.vehicle.active.keys, faultCodes: table) == 0)
    }

    @Test("fuel drop while parked fires once; slow idling consumption does not; driving off leaves it")
    func fuelDrop() {
        var stream = Stream()
        #expect(stream.send(speed: 12, fuel: 60).isEmpty)
        // Parked for an hour, losing 1 point per 10 minutes (idling): never 8 points within 30 minutes.
        for minute in stride(from: 0, to: 60, by: 5) {
            #expect(stream.send(speed: 0, fuel: 60 - Double(minute) / 10, status: .idle, advance: 300_000).isEmpty)
        }
        // Then 10 points in 2 minutes: theft.
        stream.send(speed: 0, fuel: 49, status: .idle, advance: 60_000)
        let drop = stream.send(speed: 0, fuel: 44, status: .idle, advance: 60_000)
        #expect(drop.map(\.eventType) == [.fuelDrop])
        #expect(drop.first?.attributes["to_pct"] == "44")
        #expect(stream.send(speed: 0, fuel: 40, status: .idle).isEmpty)  // once per transition
        #expect(stream.send(speed: 8, fuel: 40).map(\.condition.key) == ["fuel_drop"])  // moving leaves it, silently
        #expect(stream.recorded.last?.eventType == nil)
    }

    @Test("paused by an operator is a condition of its own (downtime, no event)")
    func paused() {
        var stream = Stream()
        let paused = stream.send(speed: 0, status: .paused)
        #expect(paused.map(\.condition.key) == ["paused"])
        #expect(paused.first?.eventType == nil)
        #expect(paused.first?.condition.incidentCause(faultCodes: stream.rules.faultCodes) == .paused)
        #expect(stream.send(speed: 0, status: .idle).map(\.change) == [.leave])
    }

    @Test("older samples (replays, redeliveries) decide nothing")
    func outOfOrder() {
        var stream = Stream()
        stream.send(battery: 50)
        #expect(stream.send(battery: 10, advance: -5_000).isEmpty)
        #expect(stream.vehicle.isActive(HealthCondition(.lowBattery)) == false)
    }

    @Test("silence: decided from the last-seen time; a sample clears it; offline ends it and is not silent")
    func silence() throws {
        var stream = Stream()
        stream.send()
        let thresholds = stream.rules.thresholds
        let now = stream.time + thresholds.silentAfterMillis + 1
        #expect(stream.vehicle.silence(nowMillis: stream.time + 1_000, lastSeenMillis: stream.time, thresholds: thresholds) == nil)
        let silent = try #require(stream.vehicle.silence(nowMillis: now, lastSeenMillis: stream.time, thresholds: thresholds))
        #expect(silent.eventType == .silent)
        stream.vehicle.record([silent])
        #expect(stream.vehicle.silence(nowMillis: now + 60_000, lastSeenMillis: stream.time, thresholds: thresholds) == nil)
        #expect(stream.send(advance: 200_000).map(\.eventType) == [.silentCleared])

        let vehicle = stream.vehicle.vehicleID
        let offline = stream.vehicle.observe(state: VehicleState(vehicleID: vehicle, connectivity: .offline, lastSeenMillis: now), nowMillis: now)
        #expect(offline.map(\.condition.key) == ["offline"])
        stream.vehicle.record(offline)
        #expect(stream.vehicle.silence(nowMillis: now + 10_000_000, lastSeenMillis: stream.time, thresholds: thresholds) == nil)
        let online = stream.vehicle.observe(state: VehicleState(vehicleID: vehicle, connectivity: .online, lastSeenMillis: now), nowMillis: now + 1)
        #expect(online.map(\.change) == [.leave])
    }

    @Test("condition keys round-trip; unknown keys are refused")
    func keys() {
        for condition in [HealthCondition.fault("P0217"), .anomaly("rpm"), HealthCondition(.lowBattery), HealthCondition(.silent)] {
            #expect(HealthCondition(key: condition.key) == condition)
        }
        #expect(HealthCondition(key: "nonsense") == nil)
        #expect(HealthCondition(key: "fault:") == nil)
    }
}
