import Foundation

/// Error measures of the PHM08 data challenge for remaining-useful-life predictions, with `d = predicted − actual`.
public enum PHM08 {
    /// Root mean squared error √(mean d²); 0 for empty input. The arrays must have equal lengths.
    public static func rmse(predicted: [Double], actual: [Double]) -> Double {
        precondition(predicted.count == actual.count, "rmse: \(predicted.count) predictions for \(actual.count) truths")
        guard !predicted.isEmpty else { return 0 }
        var sum = 0.0
        for (p, a) in zip(predicted, actual) {
            let d = p - a
            sum += d * d
        }
        return (sum / Double(predicted.count)).squareRoot()
    }

    /// The score of one prediction: e^(−d/13) − 1 when early (d < 0), e^(d/10) − 1 when late (d ≥ 0).
    public static func score(error d: Double) -> Double {
        d < 0 ? exp(-d / 13) - 1 : exp(d / 10) - 1
    }

    /// The PHM08 score S = Σ score(dᵢ); late predictions cost more than early ones. The arrays must have equal lengths.
    public static func score(predicted: [Double], actual: [Double]) -> Double {
        precondition(predicted.count == actual.count, "score: \(predicted.count) predictions for \(actual.count) truths")
        var sum = 0.0
        for (p, a) in zip(predicted, actual) { sum += score(error: p - a) }
        return sum
    }
}
