/// A JSON number literal, kept in decimal form until a field asks for a concrete type.
///
/// Most literals are parsed exactly into `significand × 10^exponent`; literals that do not fit the
/// exact fast path keep their text for the standard library's correctly rounded conversions.
struct JSONNumber {
    var negative: Bool
    var significand: UInt64
    var exponent: Int
    /// The literal had neither a fraction nor an exponent.
    var isInteger: Bool
    /// Set only when the fast path cannot be exact (more than 19 significant digits, large exponent, …).
    var text: String?

    /// 10^0 … 10^22, all exactly representable as Double.
    private static let powersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    /// Whether `significand × 10^exponent` converts to Double exactly (Clinger's fast path).
    static func isFastPath(significand: UInt64, exponent: Int) -> Bool {
        significand <= 1 << 53 && exponent >= -22 && exponent <= 22
    }

    /// The value as a Double; `nil` if it overflows to infinity.
    var doubleValue: Double? {
        let value: Double
        if let text {
            guard let parsed = Double(text), parsed.isFinite else { return nil }
            return parsed
        } else {
            let base = Double(significand)
            if exponent < 0 {
                value = base / JSONNumber.powersOfTen[-exponent]
            } else {
                value = base * JSONNumber.powersOfTen[exponent]
            }
        }
        return negative ? -value : value
    }

    /// The value as UInt64 if the literal is an integer in range.
    var uint64Value: UInt64? {
        guard isInteger else { return nil }
        if let text { return UInt64(text) }
        if negative { return significand == 0 ? 0 : nil }
        return significand
    }

    /// The value as Int64 if the literal is an integer in range.
    var int64Value: Int64? {
        guard isInteger else { return nil }
        if let text { return Int64(text) }
        if negative {
            if significand <= UInt64(Int64.max) { return -Int64(significand) }
            return significand == UInt64(Int64.max) + 1 ? Int64.min : nil
        }
        return significand <= UInt64(Int64.max) ? Int64(significand) : nil
    }
}
