import FleetCore
import Foundation

/// Writes realistic fleet history fast, for reports' tests and benchmarks: every vehicle works a daily shift of trips
/// and stops around Monaco (speed, heading and odometer consistent with each other), drains its battery while driving
/// and charges in the evening, and now and then has a fault, an operator pause, or goes silent (no samples). Samples
/// every `activeIntervalSeconds` while on shift, every `parkedIntervalSeconds` when parked.
///
/// Deterministic: the same seed, vehicles and period give the same rows.
struct HistoryGenerator: Sendable {
    var vehicles: Int
    var days: Int
    /// Midnight UTC of the first day.
    var startMillis: Int64
    var seed: UInt64 = 42
    var activeIntervalSeconds = 30
    var parkedIntervalSeconds = 240
    var idPrefix = "gen"

    static let tags = ["north", "south", "vans", "trucks", "night"]

    func vehicleID(_ index: Int) -> String { "\(idPrefix)-\(String(format: "%05d", index))" }

    /// The tags of vehicle `index`: a region and a kind, and a night shift for some.
    func tags(_ index: Int) -> [String] {
        var tags = [index % 2 == 0 ? "north" : "south", index % 3 == 0 ? "trucks" : "vans"]
        if index % 7 == 0 { tags.append("night") }
        return tags
    }

    /// One vehicle's rows for the whole period, in device-time order.
    func rows(vehicle index: Int) -> [ArchivedRow] {
        var random = SplitMix64(seed: seed &+ UInt64(index) &* 0x9E37_79B9)
        let id = vehicleID(index)
        var rows: [ArchivedRow] = []
        rows.reserveCapacity(days * 1_700)
        var seq: Int64 = 0
        var lat = 43.725 + Double.random(in: 0...0.02, using: &random)
        var lon = 7.405 + Double.random(in: 0...0.03, using: &random)
        var odometer = Double.random(in: 10_000...90_000, using: &random)
        var battery = Double.random(in: 70...100, using: &random)
        var fuel = Double.random(in: 40...100, using: &random)
        let electric = index % 3 != 0
        let night = index % 7 == 0

        func emit(_ time: Int64, speed: Double, heading: Double, status: String, faults: [String]? = nil) {
            seq += 1
            let micros = time * 1000
            rows.append(
                ArchivedRow(
                    vehicleID: id, seq: seq, deviceTimeMicros: micros, receivedAtMicros: micros + 180_000, lat: lat, lon: lon,
                    accuracyM: 5, speedMps: Float(speed), headingDeg: Float(heading), odometerM: odometer,
                    batteryPct: electric ? Float(battery) : nil, fuelPct: electric ? nil : Float(fuel),
                    engineTempC: electric ? nil : Float(85 + speed), rpm: electric ? nil : Float(speed > 0 ? 1_500 + speed * 60 : 800),
                    status: status, faultCodes: faults))
        }

        for day in 0..<days {
            let midnight = startMillis + Int64(day) * 86_400_000
            let shiftStart = midnight + Int64((night ? 20 : 6) * 3_600 + Int.random(in: 0...7_200, using: &random)) * 1000
            let shiftEnd = shiftStart + Int64(Int.random(in: 8 * 3_600...10 * 3_600, using: &random)) * 1000
            let dayEnd = midnight + 86_400_000
            var time = midnight + Int64(Int.random(in: 0..<parkedIntervalSeconds, using: &random)) * 1000
            // Parked before the shift (and charging at first for electric vehicles, after the night shift too).
            while time < min(shiftStart, dayEnd) {
                let charging = electric && battery < 99
                if charging { battery = min(100, battery + Double(parkedIntervalSeconds) / 3_600 * 12) }
                emit(time, speed: 0, heading: 0, status: charging ? "charging" : "idle")
                time += Int64(parkedIntervalSeconds) * 1000
            }
            // The shift: trips of 5-25 minutes and stops of 3-15 minutes, with rare faults, pauses and silences.
            var heading = Double.random(in: 0..<360, using: &random)
            while time < min(shiftEnd, dayEnd) {
                let roll = Double.random(in: 0..<1, using: &random)
                if roll < 0.015 {
                    // Silent for 10-40 minutes (a tunnel, a dead modem): no samples at all.
                    time += Int64(Int.random(in: 600...2_400, using: &random)) * 1000
                    continue
                }
                if roll < 0.025 {
                    let end = time + Int64(Int.random(in: 1_200...5_400, using: &random)) * 1000
                    let code = ["P0301", "P0420", "U0100", "B1342"][Int.random(in: 0..<4, using: &random)]
                    while time < min(end, dayEnd) {
                        emit(time, speed: 0, heading: heading, status: "fault", faults: [code])
                        time += Int64(activeIntervalSeconds) * 1000
                    }
                    continue
                }
                if roll < 0.035 {
                    let end = time + Int64(Int.random(in: 600...1_800, using: &random)) * 1000
                    while time < min(end, dayEnd) {
                        emit(time, speed: 0, heading: heading, status: "paused")
                        time += Int64(activeIntervalSeconds) * 1000
                    }
                    continue
                }
                let tripEnd = time + Int64(Int.random(in: 300...1_500, using: &random)) * 1000
                let cruise = Double.random(in: 6...16, using: &random)
                while time < min(tripEnd, shiftEnd, dayEnd) {
                    let speed = max(0.8, cruise + Double.random(in: -3...3, using: &random))
                    heading = (heading + Double.random(in: -25...25, using: &random) + 360).truncatingRemainder(dividingBy: 360)
                    let step = speed * Double(activeIntervalSeconds)
                    lat = min(43.76, max(43.71, lat + step * cos(heading * .pi / 180) / 111_320))
                    lon = min(7.45, max(7.39, lon + step * sin(heading * .pi / 180) / 80_500))
                    odometer += step
                    if electric { battery = max(5, battery - step / 1_000 * 0.35) } else { fuel = max(5, fuel - step / 1_000 * 0.12) }
                    emit(time, speed: speed, heading: heading, status: "moving")
                    time += Int64(activeIntervalSeconds) * 1000
                }
                let stopEnd = time + Int64(Int.random(in: 180...900, using: &random)) * 1000
                while time < min(stopEnd, shiftEnd, dayEnd) {
                    emit(time, speed: 0, heading: heading, status: "idle")
                    time += Int64(activeIntervalSeconds) * 1000
                }
            }
            // Parked after the shift: refuel once for combustion vehicles, charge for electric ones.
            if !electric && fuel < 30 { fuel = 100 }
            while time < dayEnd {
                let charging = electric && battery < 99
                if charging { battery = min(100, battery + Double(parkedIntervalSeconds) / 3_600 * 12) }
                emit(time, speed: 0, heading: heading, status: charging ? "charging" : "idle")
                time += Int64(parkedIntervalSeconds) * 1000
            }
        }
        return rows
    }
}
