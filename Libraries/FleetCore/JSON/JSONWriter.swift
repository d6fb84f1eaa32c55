/// Appends compact JSON to a byte buffer.
///
/// Keys are `StaticString`s known to need no escaping. Doubles use the shortest representation
/// that round-trips (Swift's `description`), so decode(encode(x)) == x bit for bit.
struct JSONWriter {
    private(set) var bytes: [UInt8] = []
    /// Whether the next key or array element needs a leading comma.
    private var needsComma = false

    init(capacity: Int = 384) {
        bytes.reserveCapacity(capacity)
    }

    // MARK: Structure

    mutating func beginObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
    }

    mutating func beginObject(_ key: StaticString) {
        self.key(key)
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
    }

    mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    mutating func beginArray(_ key: StaticString) {
        self.key(key)
        bytes.append(UInt8(ascii: "["))
        needsComma = false
    }

    mutating func endArray() {
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    /// Writes `"v":1`, the first member of every top-level message.
    mutating func versionField() {
        key("v")
        writeInteger(UInt64(FleetLimits.wireVersion), negative: false)
        needsComma = true
    }

    mutating func key(_ key: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        key.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    /// A dynamic key (attribute names); escaped like any string.
    mutating func key(_ key: String) {
        separate()
        writeEscaped(key)
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    // MARK: Fields

    mutating func field(_ name: StaticString, _ value: String) {
        key(name)
        writeEscaped(value)
        needsComma = true
    }

    mutating func field(_ name: StaticString, _ value: Double) {
        key(name)
        writeDouble(value)
        needsComma = true
    }

    mutating func field(_ name: StaticString, _ value: UInt64) {
        key(name)
        writeInteger(value, negative: false)
        needsComma = true
    }

    mutating func field(_ name: StaticString, _ value: Int64) {
        key(name)
        writeInteger(value.magnitude, negative: value < 0)
        needsComma = true
    }

    mutating func field(_ name: StaticString, _ value: Bool) {
        key(name)
        if value {
            bytes.append(contentsOf: [UInt8(ascii: "t"), UInt8(ascii: "r"), UInt8(ascii: "u"), UInt8(ascii: "e")])
        } else {
            bytes.append(contentsOf: [
                UInt8(ascii: "f"), UInt8(ascii: "a"), UInt8(ascii: "l"), UInt8(ascii: "s"), UInt8(ascii: "e"),
            ])
        }
        needsComma = true
    }

    mutating func optionalField(_ name: StaticString, _ value: String?) {
        if let value { field(name, value) }
    }

    mutating func optionalField(_ name: StaticString, _ value: Double?) {
        if let value { field(name, value) }
    }

    mutating func optionalField(_ name: StaticString, _ value: Int64?) {
        if let value { field(name, value) }
    }

    /// An array element or dynamic-key value that is a string.
    mutating func element(_ value: String) {
        separate()
        writeEscaped(value)
        needsComma = true
    }

    /// An array element that is a number.
    mutating func element(_ value: Double) {
        separate()
        writeDouble(value)
        needsComma = true
    }

    // MARK: Scalars

    @inline(__always)
    private mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }

    private mutating func writeInteger(_ magnitude: UInt64, negative: Bool) {
        if negative { bytes.append(UInt8(ascii: "-")) }
        if magnitude < 10 {
            bytes.append(UInt8(ascii: "0") + UInt8(magnitude))
            return
        }
        var digits = 0
        var probe = magnitude
        while probe > 0 {
            digits += 1
            probe /= 10
        }
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: digits))
        var remaining = magnitude
        var position = start + digits - 1
        while remaining > 0 {
            bytes[position] = UInt8(ascii: "0") + UInt8(remaining % 10)
            remaining /= 10
            position -= 1
        }
    }

    private mutating func writeDouble(_ value: Double) {
        // Integral values are common (0, 100, whole metres); print them without going through `description`.
        if value == value.rounded(.towardZero) && value.magnitude < 1e15 && !(value == 0 && value.sign == .minus) {
            writeInteger(UInt64(value.magnitude), negative: value < 0)
            bytes.append(UInt8(ascii: "."))
            bytes.append(UInt8(ascii: "0"))
            return
        }
        // Callers validate first, so the value is finite and `description` is valid JSON ("1e-05", "-0.0", "0.1").
        bytes.append(contentsOf: value.description.utf8)
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    private mutating func writeEscaped(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        // Most strings (ids, enum values) need no escaping: copy them in one go.
        if !text.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            bytes.append(contentsOf: text.utf8)
            bytes.append(UInt8(ascii: "\""))
            return
        }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""):
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"):
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(UInt8(ascii: "\\"))
            case 0x0A:
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(UInt8(ascii: "n"))
            case 0x0D:
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(UInt8(ascii: "r"))
            case 0x09:
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(UInt8(ascii: "t"))
            case 0..<0x20:
                bytes.append(contentsOf: [
                    UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                    JSONWriter.hexDigits[Int(byte >> 4)], JSONWriter.hexDigits[Int(byte & 0x0F)],
                ])
            default:
                bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
