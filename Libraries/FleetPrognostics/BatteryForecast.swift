import Foundation

/// A battery cell's predicted end of life (the discharge cycle at which capacity falls below the threshold).
public struct BatteryForecast: Sendable, Equatable {
    /// Predicted end-of-life cycle (1-based discharge cycle; fractional).
    public var endOfLifeCycle: Double
    /// Early end of the interval: the fastest fade the reference cells suggest.
    public var lower: Double
    /// Late end of the interval: the slowest fade the reference cells (or the current fade rate) suggest.
    public var upper: Double
    /// True when a measured capacity is already below the threshold (then all three cycles are that cycle).
    public var alreadyReached: Bool
    /// Cycles of history the forecast was made from.
    public var observedCycles: Int
    /// Number of reference cells that contributed a fade-acceleration ratio.
    public var referenceCount: Int

    /// A forecast from its parts.
    public init(endOfLifeCycle: Double, lower: Double, upper: Double, alreadyReached: Bool, observedCycles: Int,
                referenceCount: Int) {
        self.endOfLifeCycle = endOfLifeCycle
        self.lower = lower
        self.upper = upper
        self.alreadyReached = alreadyReached
        self.observedCycles = observedCycles
        self.referenceCount = referenceCount
    }

    /// Predicted cycles left from the last observed cycle (never negative).
    public var remainingCycles: Double { max(endOfLifeCycle - Double(observedCycles), 0) }
}
