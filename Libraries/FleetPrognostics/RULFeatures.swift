import Foundation

/// The window features the RUL model's trees and network read, the Swift twin of `scripts/ml/rul_features.py`
/// (same sums in the same order, so results agree to the last bits).
public enum RULFeatures {
    /// The `window` rows ending with the last row of `rows`; when there are fewer, the first row is repeated at the
    /// front (the padding used in training). `rows` must not be empty.
    public static func paddedWindow(_ rows: [[Double]], window: Int) -> [[Double]] {
        precondition(!rows.isEmpty, "paddedWindow needs at least one row")
        if rows.count >= window { return Array(rows.suffix(window)) }
        return Array(repeating: rows[0], count: window - rows.count) + rows
    }

    /// The features of one window (`n` rows of `m` sensors): per sensor the last value, the mean, the population
    /// standard deviation, the least-squares slope per cycle and the mean of the last `tail` rows, in blocks of `m`
    /// (all "last", then all "mean", …), followed by `cycle`, the cycle number of the window's last row.
    public static func windowFeatures(_ window: [[Double]], cycle: Double, tail: Int) -> [Double] {
        let n = window.count
        precondition(n >= tail && n > 1, "window of \(n) rows is shorter than the tail \(tail)")
        let m = window[0].count
        var mean = [Double](repeating: 0, count: m)
        for row in window { for j in 0..<m { mean[j] = mean[j] + row[j] } }
        for j in 0..<m { mean[j] = mean[j] / Double(n) }
        var variance = [Double](repeating: 0, count: m)
        for row in window {
            for j in 0..<m {
                let d = row[j] - mean[j]
                variance[j] = variance[j] + d * d
            }
        }
        let tbar = Double(n - 1) / 2
        var sxy = [Double](repeating: 0, count: m)
        var stt = 0.0
        for (i, row) in window.enumerated() {
            let t = Double(i) - tbar
            for j in 0..<m { sxy[j] = sxy[j] + t * (row[j] - mean[j]) }
            stt += t * t
        }
        var tailMean = [Double](repeating: 0, count: m)
        for row in window[(n - tail)...] { for j in 0..<m { tailMean[j] = tailMean[j] + row[j] } }
        var features = window[n - 1]
        features.reserveCapacity(5 * m + 1)
        features += mean
        features += variance.map { ($0 / Double(n)).squareRoot() }
        features += sxy.map { $0 / stt }
        features += tailMean.map { $0 / Double(tail) }
        features.append(cycle)
        return features
    }
}
