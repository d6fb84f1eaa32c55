/// Parses decimal degree strings (`"43.7384100"`, `"-7.42"`) straight to 1e-7 fixed point, without going through
/// `Double`, so XML and PBF readings of the same data are identical.
enum FixedPointDegrees {
    /// The value in units of 1e-7, rounded half away from zero; `nil` if not a plain decimal or beyond `limit`.
    static func parse(_ text: String, limit: Int64) -> Int32? {
        var utf8 = Substring(text).utf8[...]
        var negative = false
        if let first = utf8.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            negative = first == UInt8(ascii: "-")
            utf8 = utf8.dropFirst()
        }
        var value: Int64 = 0
        var fractionDigits = 0
        var sawDigit = false
        var sawPoint = false
        var roundUp = false
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                sawDigit = true
                let digit = Int64(byte - UInt8(ascii: "0"))
                if !sawPoint {
                    value = value * 10 + digit
                    guard value <= 1_000 else { return nil }
                } else if fractionDigits < 7 {
                    value = value * 10 + digit
                    fractionDigits += 1
                } else if fractionDigits == 7 {
                    roundUp = digit >= 5
                    fractionDigits += 1
                }
            case UInt8(ascii: "."):
                guard !sawPoint else { return nil }
                sawPoint = true
            default:
                return nil
            }
        }
        guard sawDigit else { return nil }
        if !sawPoint || fractionDigits < 7 {
            for _ in min(fractionDigits, 7)..<7 { value *= 10 }
        }
        if roundUp { value += 1 }
        guard value <= limit else { return nil }
        return Int32(negative ? -value : value)
    }
}
