import Foundation
import Testing

@testable import FleetPrognostics

@Suite struct BatteryTests {
    struct Fixture: Decodable {
        struct Forecast: Decodable {
            var eol: Double
            var lower: Double
            var upper: Double
            var reached: Bool
            var ratios: [Double]
        }

        struct Result: Decodable {
            var cell: String
            var start: Int
            var trueEOL: Int?
            var forecast: Forecast?
            var error: Double?
            var skipped: String?
        }

        var threshold: Double
        var headline: Int
        var results: [Result]
    }

    static var csv: URL { TestData.battery.appendingPathComponent("nasa_battery_capacity.csv") }

    /// Leave-one-cell-out forecasts from Swift equal the reference implementation's (scripts/ml/battery_eol.py).
    @Test func leaveOneCellOutMatchesTheReference() throws {
        let report = try BatteryEvaluation.run(csv: Self.csv)
        let fixture = try TestData.fixture("battery_loco.json", as: Fixture.self)
        #expect(report.results.count == fixture.results.count)
        for (swift, python) in zip(report.results, fixture.results) {
            #expect(swift.cell == python.cell && swift.startCycle == python.start)
            #expect(swift.trueEndOfLife == python.trueEOL)
            #expect((swift.skipped == nil) == (python.skipped == nil))
            #expect((swift.forecast == nil) == (python.forecast == nil))
            if let f = swift.forecast, let p = python.forecast {
                #expect(abs(f.endOfLifeCycle - p.eol) <= 1e-9, "\(swift.cell) at \(swift.startCycle)")
                #expect(abs(f.lower - p.lower) <= 1e-9 && abs(f.upper - p.upper) <= 1e-9)
                #expect(f.referenceCount == p.ratios.count)
                #expect(f.lower <= f.endOfLifeCycle + 1e-9 && f.endOfLifeCycle <= f.upper + 1e-9)
            }
            #expect((swift.error == nil) == (python.error == nil))
        }
        let errors = fixture.results.filter { $0.start == fixture.headline }.compactMap(\.error).map(abs)
        #expect(abs(report.maeCycles - errors.reduce(0, +) / Double(errors.count)) <= 1e-9)
        #expect(report.summaryLine == String(format: "battery mae_cycles=%.2f", report.maeCycles))
        #expect(report.text.hasSuffix("\n" + report.summaryLine))
    }

    @Test func endOfLifeFactsAndCensoring() throws {
        let cells = try BatteryCell.cells(csv: String(contentsOf: Self.csv, encoding: .utf8))
        #expect(cells.map(\.name) == ["B0005", "B0006", "B0007", "B0018"])
        #expect(cells.map { $0.endOfLife(threshold: 1.4) } == [125, 109, nil, 97])
        let report = try BatteryEvaluation.run(csv: Self.csv)
        let b7 = report.results.filter { $0.cell == "B0007" }
        #expect(!b7.isEmpty && b7.allSatisfy { $0.trueEndOfLife == nil && $0.error == nil })
        // Leave-one-cell-out: a cell's own curve never serves as its reference, so at most the other uncensored cells
        // do (2 for B0005/6/18, whose own end of life is known; 3 for the censored B0007).
        for result in report.results {
            guard let forecast = result.forecast else { continue }
            let others = cells.filter { $0.name != result.cell && $0.endOfLife(threshold: 1.4) != nil }.count
            #expect(forecast.referenceCount <= others, "\(result.cell) at \(result.startCycle)")
        }
        // Starting after a cell's end of life is not a forecast.
        #expect(report.results.contains { $0.cell == "B0018" && $0.startCycle == 100 && $0.skipped != nil })
    }

    @Test func forecastNeedsEnoughHistoryAndReportsAReachedEnd() throws {
        let model = try BatteryLifeModel.bundled()
        #expect(model.references.count == 4)
        #expect(model.predictEndOfLife(capacities: [1.9, 1.89, 1.88]) == nil)
        let done = model.predictEndOfLife(capacities: Array(repeating: 1.6, count: 25) + [1.39, 1.5])
        #expect(done?.alreadyReached == true && done?.endOfLifeCycle == 26)
        // A linear fade of 0.005 Ah per cycle from 1.9: 1.4 is reached near cycle 101 if the fade stays linear;
        // the references speed or slow it, so only broad bounds hold.
        let fading = (1...50).map { 1.9 - 0.005 * Double($0) }
        let forecast = try #require(model.predictEndOfLife(capacities: fading))
        #expect(forecast.endOfLifeCycle > 50 && forecast.endOfLifeCycle < 250)
        #expect(forecast.lower <= forecast.endOfLifeCycle && forecast.endOfLifeCycle <= forecast.upper)
        #expect(model.predictEndOfLife(capacities: Array(repeating: 1.8, count: 30)) == nil)
    }

    @Test func malformedCSVIsAClearError() {
        #expect(throws: BatteryCell.FormatError.self) { try BatteryCell.cells(csv: "battery_id,discharge_cycle,capacity_ah\nB1,1,abc\n") }
        #expect(throws: BatteryCell.FormatError.self) { try BatteryCell.cells(csv: "id,cycle\nB1,1\n") }
        #expect(throws: BatteryCell.FormatError.self) { try BatteryCell.cells(csv: "battery_id,discharge_cycle,capacity_ah\nB1,2,1.8\n") }
    }
}
