import Foundation

/// Battery end-of-life forecast (capacity below `threshold`, 1.4 Ah = 70 % of the NASA cells' 2 Ah rating) from the
/// capacities measured so far, with other cells' whole fade curves as priors.
///
/// From the first n capacities: (1) if one is already below the threshold, that cycle is the end of life;
/// (2) a 5-point centred median filter (shortened at the ends) removes regeneration spikes after rests; (3) the level
/// is the median of the last 5 filtered values and the fade the Theil–Sen slope of the last 40; (4) each reference cell
/// whose end of life lies more than 5 cycles beyond n gives an acceleration ratio ρ = (its average fade from n to its
/// end of life) / (its own Theil–Sen fade at n); (5) EOL = n + (level − threshold) / (fade · median ρ), with ρ = 1
/// (the fade carried on linearly) when no reference qualifies. The interval spans the extreme ratios and 1.
/// `scripts/ml/battery_eol.py` is the reference implementation.
public struct BatteryLifeModel: Sendable {
    /// The cells used as priors (cells that never reach the threshold contribute nothing).
    public var references: [BatteryCell]
    /// End-of-life capacity in Ah.
    public var threshold: Double
    /// Fewest cycles a forecast is made from.
    public var minimumCycles = 20
    static let smoothing = 5
    static let levelWindow = 5
    static let trendWindow = 40
    static let minimumAhead = 5

    /// A model with the given reference cells.
    public init(references: [BatteryCell], threshold: Double = 1.4) {
        self.references = references
        self.threshold = threshold
    }

    /// The model with the four NASA cells (B0005, B0006, B0007, B0018) shipped in `Models/battery_references.json`.
    /// - Throws: a file or decoding error when the resource is missing or damaged.
    public static func bundled() throws -> BatteryLifeModel {
        struct File: Decodable {
            var threshold: Double
            var cells: [BatteryCell]
        }
        guard let url = Bundle.module.url(forResource: "Models/battery_references", withExtension: "json")
            ?? Bundle.module.url(forResource: "Models", withExtension: nil)?.appendingPathComponent("battery_references.json")
        else { throw RULModel.LoadError(reason: "battery_references.json is missing from the bundle") }
        let file = try JSONDecoder().decode(File.self, from: Data(contentsOf: url))
        return BatteryLifeModel(references: file.cells, threshold: file.threshold)
    }

    /// Predicted end-of-life cycle from `capacities` (Ah per discharge cycle so far, oldest first).
    /// - Returns: nil with fewer than `minimumCycles` values, or when the filtered capacity shows no fade yet.
    public func predictEndOfLife(capacities: [Double]) -> BatteryForecast? {
        let n = capacities.count
        guard n >= minimumCycles else { return nil }
        if let index = capacities.firstIndex(where: { $0 < threshold }) {
            let cycle = Double(index + 1)
            return BatteryForecast(endOfLifeCycle: cycle, lower: cycle, upper: cycle, alreadyReached: true,
                                   observedCycles: n, referenceCount: 0)
        }
        let (level, slope) = Self.trend(capacities)
        guard slope < 0 else { return nil }
        var ratios: [Double] = []
        for reference in references {
            guard let end = reference.endOfLife(threshold: threshold), end > n + Self.minimumAhead,
                reference.capacities.count >= n
            else { continue }
            let (referenceLevel, referenceSlope) = Self.trend(Array(reference.capacities.prefix(n)))
            guard referenceSlope < 0, referenceLevel > threshold else { continue }
            ratios.append(((referenceLevel - threshold) / Double(end - n)) / -referenceSlope)
        }
        let ahead = max(level - threshold, 0)
        func endOfLife(_ ratio: Double) -> Double { Double(n) + ahead / (-slope * ratio) }
        let ratio = ratios.isEmpty ? 1 : Self.median(ratios)
        return BatteryForecast(
            endOfLifeCycle: endOfLife(ratio), lower: endOfLife((ratios + [1]).max()!), upper: endOfLife((ratios + [1]).min()!),
            alreadyReached: false, observedCycles: n, referenceCount: ratios.count)
    }

    /// (level, Theil–Sen slope per cycle) of the median-filtered capacities.
    static func trend(_ capacities: [Double]) -> (level: Double, slope: Double) {
        let smoothed = smooth(capacities)
        let m = min(smoothed.count, trendWindow)
        let y = Array(smoothed.suffix(m))
        let offset = smoothed.count - m + 1
        var slopes: [Double] = []
        slopes.reserveCapacity(m * (m - 1) / 2)
        for i in 0..<m {
            for j in (i + 1)..<max(m, i + 1) {
                slopes.append((y[j] - y[i]) / Double((offset + j) - (offset + i)))
            }
        }
        return (median(Array(smoothed.suffix(levelWindow))), slopes.isEmpty ? 0 : median(slopes))
    }

    /// Centred running median over `smoothing` values, shortened at both ends.
    static func smooth(_ values: [Double]) -> [Double] {
        let half = smoothing / 2
        return values.indices.map { i in
            median(Array(values[max(0, i - half)...min(values.count - 1, i + half)]))
        }
    }

    /// The median; the mean of the two middle values for an even count.
    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }
}
