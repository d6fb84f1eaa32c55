/// Appends the FleetCore binary encoding (little-endian, LEB128 varints) to a byte buffer.
struct BinaryWriter {
    /// First byte of every binary message; never valid in UTF-8, so it cannot be confused with JSON.
    static let magic: UInt8 = 0xFB

    private(set) var bytes: [UInt8] = []

    init(kind: MessageKind, capacity: Int = 128) {
        bytes.reserveCapacity(capacity)
        bytes.append(BinaryWriter.magic)
        bytes.append(UInt8(FleetLimits.wireVersion))
        bytes.append(kind.binaryTypeCode)
    }

    mutating func u8(_ value: UInt8) {
        bytes.append(value)
    }

    mutating func bool(_ value: Bool) {
        bytes.append(value ? 1 : 0)
    }

    mutating func u16(_ value: UInt16) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func i32(_ value: Int32) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// Stores a validated Double as Float32 (round to nearest; in-range values stay in range
    /// because every range bound in ``FleetLimits`` is exactly representable as Float32).
    mutating func f32(_ value: Double) {
        withUnsafeBytes(of: Float(value).bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func f64(_ value: Double) {
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// Unsigned LEB128, minimal length.
    mutating func varint(_ value: UInt64) {
        var remaining = value
        while remaining >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: remaining) | 0x80)
            remaining >>= 7
        }
        bytes.append(UInt8(remaining))
    }

    /// A validated (non-negative) timestamp as a varint.
    mutating func timestamp(_ millis: Int64) {
        varint(UInt64(clamping: millis))
    }

    /// Varint byte length followed by the UTF-8 bytes.
    mutating func string(_ value: String) {
        varint(UInt64(value.utf8.count))
        bytes.append(contentsOf: value.utf8)
    }

    /// Latitude/longitude as Int32 in units of 1e-7 degree (≈ 1.1 cm), like OpenStreetMap.
    mutating func coordinate(_ degrees: Double) {
        i32(Int32((degrees * 1e7).rounded()))
    }

    /// Heading as UInt16 hundredths of a degree, 0...35999 (rounding up to 360° wraps to 0).
    mutating func heading(_ degrees: Double) {
        let centi = Int((degrees * 100).rounded())
        u16(UInt16(centi >= 36_000 ? 0 : centi))
    }
}
