import FleetCore
import Foundation
import Testing

@Suite("Validation rules")
struct ValidationTests {
    static let telemetryCases: [InvalidCase<Telemetry>] = [
        .init("position.lat", "> 90") { $0.position.latitude = 90.000001 },
        .init("position.lat", "< -90") { $0.position.latitude = -91 },
        .init("position.lat", "NaN") { $0.position.latitude = .nan },
        .init("position.lon", "> 180") { $0.position.longitude = 180.5 },
        .init("position.lon", "-inf") { $0.position.longitude = -.infinity },
        .init("position.accuracy_m", "negative") { $0.position.accuracyMeters = -1 },
        .init("position.accuracy_m", "huge") { $0.position.accuracyMeters = 1e6 },
        .init("speed_mps", "negative") { $0.speedMetersPerSecond = -0.1 },
        .init("speed_mps", "> 120") { $0.speedMetersPerSecond = 120.01 },
        .init("speed_mps", "inf") { $0.speedMetersPerSecond = .infinity },
        .init("heading_deg", "360") { $0.headingDegrees = 360 },
        .init("heading_deg", "negative") { $0.headingDegrees = -0.5 },
        .init("heading_deg", "NaN") { $0.headingDegrees = .nan },
        .init("odometer_m", "negative") { $0.odometerMeters = -1 },
        .init("odometer_m", "inf") { $0.odometerMeters = .infinity },
        .init("battery_pct", "> 100") { $0.batteryPercent = 100.5 },
        .init("battery_pct", "negative") { $0.batteryPercent = -3 },
        .init("fuel_pct", "> 100") { $0.fuelPercent = 101 },
        .init("fuel_pct", "NaN") { $0.fuelPercent = .nan },
        .init("engine_temp_c", "too cold") { $0.engineTemperatureCelsius = -61 },
        .init("engine_temp_c", "too hot") { $0.engineTemperatureCelsius = 250 },
        .init("rpm", "negative") { $0.rpm = -1 },
        .init("rpm", "too fast") { $0.rpm = 20_001 },
        .init("device_time_ms", "negative") { $0.deviceTimeMillis = -1 },
        .init("device_time_ms", "year > 9999") { $0.deviceTimeMillis = 253_402_300_800_000 },
        .init("fault_codes", "too many") { $0.faultCodes = Array(repeating: "P0001", count: 33) },
        .init("fault_codes[1]", "empty code") { $0.faultCodes = ["P0001", ""] },
        .init("fault_codes[0]", "too long") { $0.faultCodes = [String(repeating: "A", count: 33)] },
        .init("fault_codes[0]", "bad character") { $0.faultCodes = ["P 0420"] },
        .init("host.cpu_pct", "> 100") { $0.host?.cpuPercent = 150 },
        .init("host.mem_pct", "NaN") { $0.host?.memoryPercent = .nan },
        .init("host.disk_pct", "negative") { $0.host?.diskPercent = -1 },
        .init("host.net_rx_bps", "absurd") { $0.host?.networkRxBytesPerSecond = 2_000_000_000_000 },
        .init("diagnostics.engine_sensors", "too many") { $0.diagnostics = Diagnostics(engineCycle: 1, engineSensors: Array(repeating: 1, count: 33)) },
        .init("diagnostics.engine_sensors[1]", "NaN") { $0.diagnostics = Diagnostics(engineCycle: 1, engineSensors: [1, .nan]) },
        .init("diagnostics.engine_sensors[0]", "absurd") { $0.diagnostics = Diagnostics(engineCycle: 1, engineSensors: [2e6]) },
        .init("diagnostics.engine_cycle", "sensors without a cycle") { $0.diagnostics = Diagnostics(engineSensors: [1]) },
        .init("diagnostics.battery_cycle", "capacity without a cycle") { $0.diagnostics = Diagnostics(batteryCapacityAh: 1.8) },
        .init("diagnostics.battery_capacity_ah", "negative") { $0.diagnostics = Diagnostics(batteryCycle: 3, batteryCapacityAh: -0.1) },
        .init("diagnostics.battery_rated_ah", "zero") { $0.diagnostics = Diagnostics(batteryRatedAh: 0) },
    ]

    @Test("telemetry rules", arguments: telemetryCases)
    func telemetry(_ invalid: InvalidCase<Telemetry>) {
        invalid.check(base: Fixtures.telemetry)
    }

    @Test("command rules")
    func command() {
        let cases: [InvalidCase<Command>] = [
            .init("speed_limit_mps", "zero limit") { $0.action = .setSpeedLimit(metersPerSecond: 0) },
            .init("speed_limit_mps", "NaN limit") { $0.action = .setSpeedLimit(metersPerSecond: .nan) },
            .init("speed_limit_mps", "limit too high") { $0.action = .setSpeedLimit(metersPerSecond: 121) },
            .init("expires_at_ms", "expires before issue") { $0.expiresAtMillis = $0.issuedAtMillis },
            .init("issued_at_ms", "negative") { $0.issuedAtMillis = -5 },
            .init("reason", "too long") { $0.reason = String(repeating: "é", count: 257) },
        ]
        for invalid in cases { invalid.check(base: Fixtures.command) }
    }

    @Test("desired and vehicle state rules")
    func states() {
        let desired: [InvalidCase<DesiredState>] = [
            .init("speed_limit_mps", "below 1") { $0.speedLimitMetersPerSecond = 0.5 },
            .init("updated_at_ms", "negative") { $0.updatedAtMillis = -1 },
            .init("reason", "too long") { $0.reason = String(repeating: "x", count: 300) },
        ]
        for invalid in desired { invalid.check(base: Fixtures.desired) }
        let states: [InvalidCase<VehicleState>] = [
            .init("last_seen_ms", "negative") { $0.lastSeenMillis = -1 },
            .init("desired.speed_limit_mps", "nested invalid") { $0.desired?.speedLimitMetersPerSecond = 500 },
            .init("desired.vehicle_id", "other vehicle") { $0.desired?.vehicleID = Fixtures.vehicleID("other") },
        ]
        for invalid in states { invalid.check(base: Fixtures.state) }
    }

    @Test("ack, commit, event and alert rules")
    func others() {
        let acks: [InvalidCase<CommandAck>] = [
            .init("at_ms", "negative") { $0.atMillis = -1 },
            .init("reason", "too long") { $0.reason = String(repeating: "😀", count: 257) },
        ]
        for invalid in acks { invalid.check(base: Fixtures.ack) }
        let commits: [InvalidCase<TelemetryCommit>] = [
            .init("committed_at_ms", "far future") { $0.committedAtMillis = .max }
        ]
        for invalid in commits { invalid.check(base: Fixtures.commit) }
        let events: [InvalidCase<FleetEvent>] = [
            .init("time_ms", "negative") { $0.timeMillis = -1 },
            .init("attributes", "too many") { event in
                for index in 0...32 { event.attributes["k\(index)"] = "v" }
            },
            .init("attributes", "upper-case key") { $0.attributes["Speed"] = "1" },
            .init("attributes", "empty key") { $0.attributes[""] = "1" },
            .init("attributes.note", "long value") { $0.attributes["note"] = String(repeating: "v", count: 257) },
        ]
        for invalid in events { invalid.check(base: Fixtures.event) }
        let alerts: [InvalidCase<Alert>] = [
            .init("dedup_key", "empty") { $0.dedupKey = "" },
            .init("summary", "empty") { $0.summary = "" },
            .init("summary", "too long") { $0.summary = String(repeating: "s", count: 1025) },
            .init("updated_at_ms", "before fired") { $0.updatedAtMillis = $0.firedAtMillis - 1 },
            .init("acknowledged_at_ms", "missing for acknowledged") { $0.status = .acknowledged },
            .init("resolved_at_ms", "missing for resolved") { $0.status = .resolved },
            .init("resolved_at_ms", "present while firing") { $0.resolvedAtMillis = $0.firedAtMillis },
            .init("acknowledged_at_ms", "before fired") { $0.acknowledgedAtMillis = $0.firedAtMillis - 1 },
        ]
        for invalid in alerts { invalid.check(base: Fixtures.alert) }
    }

    @Test("vehicle and message ids", arguments: ["", "a/b", "a+b", "#", "ünïcode", "space id", String(repeating: "x", count: 65)])
    func invalidIDs(_ text: String) {
        #expect(VehicleID(validating: text) == nil)
        #expect(!VehicleID.isValid(text))
        #expect(throws: ValidationError(field: "vehicle_id", reason: text.isEmpty || text.utf8.count > 64
            ? "length must be within 1...64 (got \(text.utf8.count))" : "may only contain [A-Za-z0-9._-]")) {
            try VehicleID(text)
        }
        #expect(MessageID(validating: text) == nil)
    }

    @Test("valid ids", arguments: ["a", "truck-042", "Van_7.b", String(repeating: "x", count: 64), "..."])
    func validIDs(_ text: String) throws {
        #expect(try VehicleID(text).rawValue == text)
        #expect(try MessageID(text).description == text)
        #expect(MessageID.random().rawValue.count == 36)
    }

    @Test("timestamp policy")
    func timestampPolicy() throws {
        let policy = TimestampPolicy(maxFutureSkewMillis: 1_000, maxAgeMillis: 60_000)
        let now = Fixtures.now
        #expect(policy.check(now, nowMillis: now) == .plausible)
        #expect(policy.check(now + 1_000, nowMillis: now) == .plausible)
        #expect(policy.check(now + 1_001, nowMillis: now) == .inFuture(byMillis: 1_001))
        #expect(policy.check(now - 60_000, nowMillis: now) == .plausible)
        #expect(policy.check(now - 60_001, nowMillis: now) == .tooOld(ageMillis: 60_001))
        #expect(policy.check(.min, nowMillis: .max) == .tooOld(ageMillis: .max))
        #expect(policy.check(.max, nowMillis: .min) == .inFuture(byMillis: .max))
        let date = TimestampPolicy.date(fromMillis: now)
        #expect(TimestampPolicy.millis(from: date) == now)
        #expect(throws: ValidationError.self) { try policy.validate(now + 5_000, now: date) }
        try policy.validate(now - 5_000, now: date)
        #expect(Fixtures.telemetry.deviceTime == date)
        #expect(Fixtures.command.isExpired(nowMillis: now + 60_000))
        #expect(!Fixtures.command.isExpired(now: date))
    }

    @Test("error descriptions name the field")
    func descriptions() {
        let error = WireError(.invalidValue, field: "position.lat", reason: "must be within -90.0...90.0 (got 91.0)")
        #expect(error.description == "invalidValue at position.lat: must be within -90.0...90.0 (got 91.0)")
        #expect(ValidationError(field: "rpm", reason: "bad").description == "rpm: bad")
    }
}
