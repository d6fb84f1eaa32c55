import Foundation

/// Leave-one-cell-out evaluation of `BatteryLifeModel` on the NASA capacity CSV: each cell is forecast from its first
/// `start` cycles by a model whose references are the other cells only.
public struct BatteryEvaluation {
    /// Start cycles evaluated by default (the usual 60 / 80 / 100, about 35–60 % of these cells' lives).
    public static let defaultStarts = [60, 80, 100]
    /// The start cycle `summaryLine` reports.
    public static let headlineStart = 80

    /// One cell at one start cycle.
    public struct CellResult: Sendable {
        /// Cell name.
        public var cell: String
        /// Cycles of history the forecast saw.
        public var startCycle: Int
        /// First cycle below the threshold; nil when the cell never gets there (censored).
        public var trueEndOfLife: Int?
        /// Cycles measured for the cell (for a censored cell its end of life is later than this).
        public var observedCycles: Int
        /// The forecast; nil when skipped or when the model declined.
        public var forecast: BatteryForecast?
        /// Predicted − true end of life in cycles; nil when censored or skipped.
        public var error: Double?
        /// Why the cell was not forecast at this start, if it was not.
        public var skipped: String?

        /// For a censored cell: whether the forecast is at least consistent with the censoring (EOL after the last
        /// measured cycle). Nil for uncensored cells.
        public var consistentWithCensoring: Bool? {
            guard trueEndOfLife == nil, let forecast else { return nil }
            return forecast.endOfLifeCycle > Double(observedCycles)
        }
    }

    /// All results and the mean absolute errors.
    public struct Report: Sendable {
        /// Capacity threshold in Ah.
        public var threshold: Double
        /// The start cycle `maeCycles` is computed at.
        public var headlineStart: Int
        /// Every (start, cell) result, by start then cell name.
        public var results: [CellResult]

        /// Mean |error| in cycles over the uncensored cells forecast from `start` (nil when none).
        public func meanAbsoluteError(start: Int) -> Double? {
            let errors = results.filter { $0.startCycle == start }.compactMap(\.error).map(abs)
            return errors.isEmpty ? nil : errors.reduce(0, +) / Double(errors.count)
        }

        /// Mean |error| at `headlineStart` (NaN when no cell could be scored).
        public var maeCycles: Double { meanAbsoluteError(start: headlineStart) ?? .nan }

        /// `battery mae_cycles=<value>` with two decimals: the last line of `fleet-health battery evaluate`.
        public var summaryLine: String { "battery mae_cycles=\(String(format: "%.2f", maeCycles))" }

        /// A printable report: one line per cell and start, the MAE per start, then `summaryLine` last.
        public var text: String {
            var lines = ["leave-one-cell-out, end of life = first cycle below \(threshold) Ah"]
            for r in results {
                let truth = r.trueEndOfLife.map(String.init) ?? "censored (>\(r.observedCycles))"
                var line = "start=\(r.startCycle) cell=\(r.cell) true=\(truth)"
                if let skipped = r.skipped {
                    line += " skipped: \(skipped)"
                } else if let f = r.forecast {
                    line += String(format: " predicted=%.1f interval=[%.1f, %.1f] refs=%d", f.endOfLifeCycle, f.lower,
                                   f.upper, f.referenceCount)
                    if let e = r.error { line += String(format: " error=%+.1f", e) }
                    if let ok = r.consistentWithCensoring { line += ok ? " (consistent with censoring)" : " (before the censoring point)" }
                } else {
                    line += " no forecast"
                }
                lines.append(line)
            }
            for start in Set(results.map(\.startCycle)).sorted() {
                let n = results.filter { $0.startCycle == start && $0.error != nil }.count
                let mae = meanAbsoluteError(start: start).map { String(format: "%.2f", $0) } ?? "n/a"
                lines.append("start=\(start) mae_cycles=\(mae) over \(n) uncensored cells")
            }
            lines.append(summaryLine)
            return lines.joined(separator: "\n")
        }
    }

    /// Runs the evaluation on `nasa_battery_capacity.csv` inside `dataDirectory`.
    public static func run(dataDirectory: URL, starts: [Int] = defaultStarts, headlineStart: Int = headlineStart,
                           threshold: Double = 1.4) throws -> Report {
        try run(csv: dataDirectory.appendingPathComponent("nasa_battery_capacity.csv"), starts: starts,
                headlineStart: headlineStart, threshold: threshold)
    }

    /// Runs the evaluation on a capacity CSV (`battery_id,discharge_cycle,capacity_ah`).
    /// - Throws: file errors or `BatteryCell.FormatError`.
    public static func run(csv: URL, starts: [Int] = defaultStarts, headlineStart: Int = headlineStart,
                           threshold: Double = 1.4) throws -> Report {
        let cells = try BatteryCell.cells(csv: String(contentsOf: csv, encoding: .utf8))
        var results: [CellResult] = []
        for start in starts {
            for cell in cells {
                let model = BatteryLifeModel(references: cells.filter { $0.name != cell.name }, threshold: threshold)
                let truth = cell.endOfLife(threshold: threshold)
                var result = CellResult(cell: cell.name, startCycle: start, trueEndOfLife: truth,
                                        observedCycles: cell.capacities.count)
                if start > cell.capacities.count {
                    result.skipped = "too few cycles"
                } else if let truth, truth <= start {
                    result.skipped = "end of life reached before the start cycle"
                } else {
                    result.forecast = model.predictEndOfLife(capacities: Array(cell.capacities.prefix(start)))
                    if let forecast = result.forecast, let truth { result.error = forecast.endOfLifeCycle - Double(truth) }
                }
                results.append(result)
            }
        }
        return Report(threshold: threshold, headlineStart: headlineStart, results: results)
    }
}
