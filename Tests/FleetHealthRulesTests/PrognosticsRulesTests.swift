import FleetCore
import FleetHealthRules
import FleetPrognostics
import Foundation
import Testing

/// The live forecasts on real degradation data: a C-MAPSS engine run to failure and a NASA cell aged to end of life,
/// replayed as telemetry diagnostics.
@Suite("Live prognostics on real degradation data")
struct PrognosticsRulesTests {
    static let data = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/data/vehicle_health")

    func stream() throws -> Stream {
        var stream = Stream()
        stream.rules.prognostics = try Prognostics.bundled()
        return stream
    }

    @Test("An engine run to failure (train_FD001 unit 1, 192 cycles): maintenance_due is raised once, in its last cycles, with the forecast")
    func engineRunToFailure() throws {
        let engines = try CMAPSSData(contentsOf: Self.data.appendingPathComponent("cmapss/train_FD001.txt"))
        let rows = try #require(engines.units[1])
        var stream = try stream()
        var raisedAt: UInt64?
        for row in rows {
            let transitions = stream.send(
                diagnostics: Diagnostics(engineCycle: UInt64(row.cycle), engineSensors: row.sensors))
            if transitions.contains(where: { $0.eventType == .maintenanceDue }) { raisedAt = UInt64(row.cycle) }
        }
        let raised = try #require(raisedAt, "maintenance_due was never raised")
        let remaining = rows.count - Int(raised)
        // True remaining life at the alert, against the 30-cycle threshold: raised before failure, not absurdly early.
        #expect(remaining >= 0 && remaining <= 60, "raised with \(remaining) cycles truly left")
        #expect(stream.recorded.filter { $0.eventType == .maintenanceDue }.count == 1, "once")
        let forecast = try #require(stream.vehicle.engineForecast)
        #expect(forecast.cycle == UInt64(rows.count))
        #expect(forecast.rulCycles < 30)
        #expect(forecast.lower <= forecast.rulCycles && forecast.rulCycles <= forecast.upper)
        let event = try #require(stream.recorded.first { $0.eventType == .maintenanceDue })
        #expect(event.attributes["engine_cycle"] == String(raised))
    }

    @Test("A healthy engine early in life is not due; a rebuilt engine (counter back to 1) starts a new history")
    func healthyAndRebuilt() throws {
        let engines = try CMAPSSData(contentsOf: Self.data.appendingPathComponent("cmapss/train_FD001.txt"))
        let rows = try #require(engines.units[2])
        var stream = try stream()
        for row in rows.prefix(60) {
            stream.send(diagnostics: Diagnostics(engineCycle: UInt64(row.cycle), engineSensors: row.sensors))
        }
        #expect(stream.recorded.isEmpty)
        #expect((stream.vehicle.engineForecast?.rulCycles ?? 0) > 60)
    }

    @Test("A NASA cell aged past 80 % of rated capacity raises battery_health once, with an end-of-life forecast")
    func batteryFade() throws {
        let text = try String(contentsOf: Self.data.appendingPathComponent("nasa_battery/nasa_battery_capacity.csv"), encoding: .utf8)
        let cell = try #require(try BatteryCell.cells(csv: text).first { $0.name == "B0005" })
        var stream = try stream()
        var raisedAt: Int?
        for (index, capacity) in cell.capacities.enumerated() {
            let transitions = stream.send(diagnostics: Diagnostics(batteryCycle: UInt64(index + 1), batteryCapacityAh: capacity, batteryRatedAh: 2))
            if transitions.contains(where: { $0.eventType == .batteryHealth }) { raisedAt = index + 1 }
        }
        let raised = try #require(raisedAt)
        #expect(cell.capacities[raised - 1] < 1.6)
        #expect(cell.capacities.prefix(raised - 1).allSatisfy { $0 >= 1.6 } || stream.recorded.filter { $0.eventType == .batteryHealth }.count == 1)
        #expect(stream.recorded.filter { $0.eventType == .batteryHealth }.count == 1, "once, despite regeneration bumps")
        let estimate = try #require(stream.vehicle.batteryEstimate)
        #expect(estimate.endOfLifeCycle != nil)
    }
}
