import CoreMetrics
import Synchronization

/// Counters of one name that differ by the values of fixed labels, each made once and then reused.
///
/// The suite's one pattern for metrics: a service's metrics type holds its metric objects as `let`s, made in its
/// initialiser (plain `Counter`, `Gauge`, `Timer`, `Recorder`, and a `CounterFamily` where labels vary). Label values
/// must come from bounded sets (outcomes, reasons, event types), never from ids.
///
/// ```swift
/// let deliveries = CounterFamily("fleet_alerting_webhook_deliveries_total", labels: "outcome")
/// deliveries.increment("delivered")
/// ```
public final class CounterFamily: Sendable {
    /// The metric name.
    public let label: String
    /// The label names, in the order values are given.
    public let labelNames: [String]
    private let counters = Mutex<[[String]: Counter]>([:])

    /// Creates the family; no counter is made until it is first used.
    public init(_ label: String, labels labelNames: String...) {
        self.label = label
        self.labelNames = labelNames
    }

    /// The counter for `values` (one per label name), made on first use.
    public func counter(_ values: [String]) -> Counter {
        precondition(values.count == labelNames.count, "\(label) takes \(labelNames.count) label values")
        return counters.withLock { counters in
            if let counter = counters[values] { return counter }
            let counter = Counter(label: label, dimensions: Array(zip(labelNames, values)))
            counters[values] = counter
            return counter
        }
    }

    /// Makes now the counter of every combination of `values` (one list per label, in label order), so each series is
    /// exported at 0 from the start: a dashboard or an alert then sees 0, not nothing, before the first event of a kind.
    public func makeAll(_ values: [String]...) {
        precondition(values.count == labelNames.count, "\(label) takes \(labelNames.count) label value lists")
        var combinations: [[String]] = [[]]
        for options in values {
            combinations = combinations.flatMap { prefix in options.map { prefix + [$0] } }
        }
        for combination in combinations { _ = counter(combination) }
    }

    /// Adds `amount` (nothing when it is not positive) to the counter of `values`.
    public func increment(_ values: String..., by amount: Int = 1) {
        guard amount > 0 else { return }
        counter(values).increment(by: amount)
    }
}
