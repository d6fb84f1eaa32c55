/// A travel cost packed into one integer so that one addition and one comparison order paths by time, then distance.
///
/// Bits 32…61 hold milliseconds, bits 0…31 centimetres. Integer sums are exact and associative, so the contraction
/// hierarchy and plain Dijkstra find bit-identical costs, and ties in time are broken by the shorter distance
/// in both. Finite costs stay below ``infinity`` (2^62) as long as a path takes under 12 days and runs under
/// 42,949 km; the sum of two or three costs involving ``infinity`` cannot overflow 64 bits and never compares below
/// a finite cost.
enum TravelCost {
    /// An unusable (closed or unreached) cost.
    static let infinity: UInt64 = 1 << 62
    /// Largest time for one edge, milliseconds (about 3 days); anything slower counts as closed.
    static let maximumEdgeMilliseconds: Double = Double(1 << 28)
    private static let distanceMask: UInt64 = 0xFFFF_FFFF

    /// The cost of driving `length` metres in `seconds` (``infinity`` for a non-finite or too large time).
    static func edge(seconds: Double, metres: Double) -> UInt64 {
        precondition(!(seconds < 0), "travel times must not be negative")
        let milliseconds = (seconds * 1000).rounded()
        guard milliseconds.isFinite, milliseconds < maximumEdgeMilliseconds else { return infinity }
        let centimetres = min(Double(distanceMask), max(0, (metres * 100).rounded()))
        return UInt64(milliseconds) << 32 | UInt64(centimetres)
    }

    /// The part of `cost` up to `fraction` (0…1) of the way, both components rounded; never more than `cost`.
    static func part(of cost: UInt64, fraction: Double) -> UInt64 {
        guard cost < infinity else { return infinity }
        let milliseconds = (Double(cost >> 32) * fraction).rounded()
        let centimetres = (Double(cost & distanceMask) * fraction).rounded()
        return UInt64(milliseconds) << 32 | UInt64(centimetres)
    }

    /// Seconds of a finite cost.
    static func seconds(_ cost: UInt64) -> Double { Double(cost >> 32) / 1000 }

    /// Metres of a finite cost.
    static func metres(_ cost: UInt64) -> Double { Double(cost & distanceMask) / 100 }
}
