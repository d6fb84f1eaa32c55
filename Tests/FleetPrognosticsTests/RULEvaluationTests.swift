import Foundation
import Testing

@testable import FleetPrognostics

@Suite struct RULEvaluationTests {
    struct Expected: Decodable {
        struct Figures: Decodable {
            var rmse: Double
            var raw_rmse: Double
            var score: Double
        }

        var seed: Int
        var units: [Int]
        var rul: [Double]
        var expected: Figures
    }

    /// The shipped model's FD001 figure computed by Swift equals the one the training script printed for it.
    @Test func reproducesTheShippedModelsFigure() throws {
        let model = try RULModel.bundled()
        let report = try RULEvaluation.run(dataDirectory: TestData.cmapss, model: model)
        let python = try TestData.fixture("rul_test_predictions.json", as: Expected.self)
        #expect(report.count == 100)
        #expect(report.predictions.map(\.unit) == python.units)
        for (p, expected) in zip(report.predictions, python.rul) { #expect(abs(p.predicted - expected) <= 1e-9, "unit \(p.unit)") }
        #expect(abs(report.rmse - python.expected.rmse) <= 1e-9)
        #expect(abs(report.rawRMSE - python.expected.raw_rmse) <= 1e-9)
        #expect(abs(report.phm08Score - python.expected.score) <= 1e-6)
        // The target, on the shipped model itself.
        #expect(report.rmse <= 12.0, "FD001 rmse \(report.rmse)")
        #expect(report.rawRMSE >= report.rmse - 1e-9)
        #expect(report.summaryLine == String(format: "FD001 rmse=%.2f score=%.2f", report.rmse, report.phm08Score))
        #expect(report.text.hasSuffix("\n" + report.summaryLine))
    }

    @Test func summaryLineFormat() {
        let report = RULEvaluation.Report(rmse: 11.456, rawRMSE: 13, phm08Score: 230.004, rawPHM08Score: 300, count: 1, cap: 125,
                                          predictions: [])
        #expect(report.summaryLine == "FD001 rmse=11.46 score=230.00")
    }

    @Test func missingTruthIsAnError() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fd001-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let row = CMAPSSDataTests.line(unit: 1, cycle: 1)
        try (row + "\n" + CMAPSSDataTests.line(unit: 2, cycle: 1)).write(to: directory.appendingPathComponent("test_FD001.txt"), atomically: true, encoding: .utf8)
        try "17\n".write(to: directory.appendingPathComponent("RUL_FD001.txt"), atomically: true, encoding: .utf8)
        #expect(throws: RULEvaluation.DataError.self) { try RULEvaluation.run(dataDirectory: directory, model: try RULModel.bundled()) }
    }
}
