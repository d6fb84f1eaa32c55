/// Internal validation primitives shared by every model's `validate()`.
enum Check {
    static func range(_ value: Double, _ range: ClosedRange<Double>, _ field: String) throws(ValidationError) {
        guard value.isFinite else { throw ValidationError(field: field, reason: "must be a finite number (got \(value))") }
        guard range.contains(value) else {
            throw ValidationError(field: field, reason: "must be within \(range.lowerBound)...\(range.upperBound) (got \(value))")
        }
    }

    static func range(_ value: Double, _ range: Range<Double>, _ field: String) throws(ValidationError) {
        guard value.isFinite else { throw ValidationError(field: field, reason: "must be a finite number (got \(value))") }
        guard range.contains(value) else {
            throw ValidationError(field: field, reason: "must be within \(range.lowerBound)..<\(range.upperBound) (got \(value))")
        }
    }

    static func range(_ value: UInt64, _ range: ClosedRange<UInt64>, _ field: String) throws(ValidationError) {
        guard range.contains(value) else {
            throw ValidationError(field: field, reason: "must be within \(range.lowerBound)...\(range.upperBound) (got \(value))")
        }
    }

    static func timestamp(_ millis: Int64, _ field: String) throws(ValidationError) {
        guard FleetLimits.timestampMillis.contains(millis) else {
            throw ValidationError(
                field: field,
                reason: "must be milliseconds since the Unix epoch within \(FleetLimits.timestampMillis) (got \(millis))")
        }
    }

    /// Free text: length in Unicode scalars within `length`.
    static func text(_ value: String, length: ClosedRange<Int>, _ field: String) throws(ValidationError) {
        // UTF-8 byte count bounds the scalar count from above, so most strings skip the scalar walk.
        let bytes = value.utf8.count
        if bytes <= length.upperBound && length.lowerBound <= min(bytes, 1) { return }
        let scalars = value.unicodeScalars.count
        guard length.contains(scalars) else {
            if scalars < length.lowerBound {
                throw ValidationError(field: field, reason: "must not be empty")
            }
            throw ValidationError(field: field, reason: "must be at most \(length.upperBound) characters (got \(scalars))")
        }
    }

    /// `[A-Za-z0-9._-]` (or lower-case only) with a length bound, checked on raw UTF-8.
    static func token(_ value: String, length: ClosedRange<Int>, lowercaseOnly: Bool = false, _ field: String)
        throws(ValidationError)
    {
        let utf8 = value.utf8
        guard length.contains(utf8.count) else {
            throw ValidationError(
                field: field, reason: "length must be within \(length.lowerBound)...\(length.upperBound) (got \(utf8.count))")
        }
        for byte in utf8 where !isTokenByte(byte, lowercaseOnly: lowercaseOnly) {
            let allowed = lowercaseOnly ? "[a-z0-9._-]" : "[A-Za-z0-9._-]"
            throw ValidationError(field: field, reason: "may only contain \(allowed)")
        }
    }

    /// A route or route-stop id: `[A-Za-z0-9_-]` (no dot), length within ``FleetLimits/routeIdentifierLength``.
    static func routeIdentifier(_ value: String, _ field: String) throws(ValidationError) {
        let utf8 = value.utf8
        let length = FleetLimits.routeIdentifierLength
        guard length.contains(utf8.count) else {
            throw ValidationError(
                field: field, reason: "length must be within \(length.lowerBound)...\(length.upperBound) (got \(utf8.count))")
        }
        for byte in utf8 where byte == UInt8(ascii: ".") || !isTokenByte(byte) {
            throw ValidationError(field: field, reason: "may only contain [A-Za-z0-9_-]")
        }
    }

    static func range(_ value: Int, _ range: ClosedRange<Int>, _ field: String) throws(ValidationError) {
        guard range.contains(value) else {
            throw ValidationError(field: field, reason: "must be within \(range.lowerBound)...\(range.upperBound) (got \(value))")
        }
    }

    @inline(__always)
    static func isTokenByte(_ byte: UInt8, lowercaseOnly: Bool = false) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
            return true
        case UInt8(ascii: "A")...UInt8(ascii: "Z"):
            return !lowercaseOnly
        default:
            return false
        }
    }
}
