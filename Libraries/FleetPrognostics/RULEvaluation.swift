import Foundation

/// The FD001 benchmark of a `RULModel`: predict at the last cycle of each `test_FD001` unit and score against
/// `RUL_FD001` (capped at the model's cap, and raw).
public struct RULEvaluation {
    /// One test unit's prediction.
    public struct UnitPrediction: Sendable, Equatable {
        /// Test unit number.
        public var unit: Int
        /// Cycles observed (the last one is where the prediction is made).
        public var cycles: Int
        /// Predicted RUL in cycles.
        public var predicted: Double
        /// True RUL from `RUL_FD001.txt` (uncapped).
        public var actual: Double
        /// The true RUL capped at the model's cap: what `rmse` is scored against.
        public var cappedActual: Double
    }

    /// Scores over all test units.
    public struct Report: Sendable {
        /// RMSE against the capped truth min(RUL, cap).
        public var rmse: Double
        /// RMSE against the raw (uncapped) truth.
        public var rawRMSE: Double
        /// PHM08 score against the capped truth.
        public var phm08Score: Double
        /// PHM08 score against the raw truth.
        public var rawPHM08Score: Double
        /// Number of test units scored.
        public var count: Int
        /// The cap applied to the truth.
        public var cap: Double
        /// One entry per test unit, in unit order.
        public var predictions: [UnitPrediction]

        /// `FD001 rmse=<rmse> score=<phm08Score>` with two decimals: the last line of `fleet-health rul evaluate`.
        public var summaryLine: String {
            "FD001 rmse=\(String(format: "%.2f", rmse)) score=\(String(format: "%.2f", phm08Score))"
        }

        /// A printable report: one line per unit, the raw figures, then `summaryLine` as the last line.
        public var text: String {
            var lines = ["unit cycles predicted actual capped"]
            for p in predictions {
                lines.append(String(format: "%4d %6d %9.2f %6.0f %6.0f", p.unit, p.cycles, p.predicted, p.actual, p.cappedActual))
            }
            lines.append(String(format: "units=%d cap=%.0f rmse=%.4f raw_rmse=%.4f score=%.3f raw_score=%.3f",
                                count, cap, rmse, rawRMSE, phm08Score, rawPHM08Score))
            lines.append(summaryLine)
            return lines.joined(separator: "\n")
        }
    }

    /// Why the evaluation could not run.
    public struct DataError: Error, Sendable, CustomStringConvertible {
        /// What is wrong with the data directory.
        public var reason: String
        /// The reason, prefixed.
        public var description: String { "FD001 evaluation: \(reason)" }
    }

    /// Runs the benchmark on `dataDirectory` (holding `test_FD001.txt` and `RUL_FD001.txt`; `train_FD001.txt` is
    /// checked to load, as the model was trained on it, but not otherwise used).
    /// - Throws: file errors, `CMAPSSData.FormatError`, or `DataError` when the files do not match.
    public static func run(dataDirectory: URL, model: RULModel) throws -> Report {
        let trainURL = dataDirectory.appendingPathComponent("train_FD001.txt")
        if FileManager.default.fileExists(atPath: trainURL.path) {
            _ = try CMAPSSData(contentsOf: trainURL)
        }
        let test = try CMAPSSData(contentsOf: dataDirectory.appendingPathComponent("test_FD001.txt"))
        let truthText = try String(contentsOf: dataDirectory.appendingPathComponent("RUL_FD001.txt"), encoding: .utf8)
        var truth: [Double] = []
        for (i, line) in truthText.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let field = line.trimmingCharacters(in: .whitespaces)
            if field.isEmpty { continue }
            guard let value = Double(field), value.isFinite else {
                throw DataError(reason: "RUL_FD001.txt line \(i + 1) is not a number: '\(field)'")
            }
            truth.append(value)
        }
        let units = test.unitIDs
        guard units == Array(1...max(truth.count, 1)), truth.count == units.count else {
            throw DataError(reason: "\(units.count) test units (1…n expected) but \(truth.count) RUL values")
        }
        var predictions: [UnitPrediction] = []
        for (unit, actual) in zip(units, truth) {
            let rows = test.sensorRows(unit: unit, sensors: model.sensorNames)
            let first = test.units[unit]?.first?.cycle ?? 1
            let predicted = model.predict(cycles: rows, firstCycle: first)
            predictions.append(UnitPrediction(unit: unit, cycles: rows.count, predicted: predicted, actual: actual,
                                              cappedActual: min(actual, model.cap)))
        }
        let predicted = predictions.map(\.predicted)
        let capped = predictions.map(\.cappedActual)
        return Report(
            rmse: PHM08.rmse(predicted: predicted, actual: capped), rawRMSE: PHM08.rmse(predicted: predicted, actual: truth),
            phm08Score: PHM08.score(predicted: predicted, actual: capped),
            rawPHM08Score: PHM08.score(predicted: predicted, actual: truth), count: predictions.count, cap: model.cap,
            predictions: predictions)
    }
}
