/// Reads the FleetCore binary encoding with bounds checks on every access.
///
/// All failures are ``WireError``s naming the field being read; nothing traps on hostile input.
struct BinaryReader {
    private let bytes: UnsafeRawBufferPointer
    private(set) var index = 0

    init(bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    /// Checks the 3-byte header: magic, version and message type.
    mutating func header(expecting kind: MessageKind) throws(WireError) {
        let magic = try u8("")
        guard magic == BinaryWriter.magic else {
            throw WireError(.unknownFormat, reason: "not a FleetCore binary message (first byte is not 0xFB)", offset: 0)
        }
        let version = try u8("")
        guard version == UInt8(FleetLimits.wireVersion) else {
            throw WireError(
                .unsupportedVersion, field: "v", reason: "unsupported version \(version) (supported: \(FleetLimits.wireVersion))",
                offset: 1)
        }
        let code = try u8("")
        guard let found = MessageKind(binaryTypeCode: code) else {
            throw WireError(.unknownMessageType, reason: "unknown message type 0x\(String(code, radix: 16))", offset: 2)
        }
        guard found == kind else {
            throw WireError(.wrongMessageType, reason: "expected a \(kind.rawValue) message, got \(found.rawValue)", offset: 2)
        }
    }

    /// Rejects bytes after the end of the message.
    func finish() throws(WireError) {
        guard index == bytes.count else {
            throw WireError(.trailingData, reason: "\(bytes.count - index) unexpected bytes after the message", offset: index)
        }
    }

    @inline(__always)
    private mutating func take(_ count: Int, _ field: String) throws(WireError) -> Int {
        guard bytes.count - index >= count else {
            throw WireError(.truncated, field: field, reason: "unexpected end of input", offset: index)
        }
        let start = index
        index += count
        return start
    }

    mutating func u8(_ field: String) throws(WireError) -> UInt8 {
        bytes[try take(1, field)]
    }

    mutating func bool(_ field: String) throws(WireError) -> Bool {
        let offset = index
        switch try u8(field) {
        case 0: return false
        case 1: return true
        case let other: throw WireError(.malformed, field: field, reason: "boolean byte must be 0 or 1 (got \(other))", offset: offset)
        }
    }

    /// The presence bitmap; bits outside `allowed` must be zero.
    mutating func presence(allowed: UInt8) throws(WireError) -> UInt8 {
        let offset = index
        let bits = try u8("presence")
        guard bits & ~allowed == 0 else {
            throw WireError(.malformed, field: "presence", reason: "unknown presence bits 0x\(String(bits & ~allowed, radix: 16))", offset: offset)
        }
        return bits
    }

    mutating func u16(_ field: String) throws(WireError) -> UInt16 {
        UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: try take(2, field), as: UInt16.self))
    }

    mutating func i32(_ field: String) throws(WireError) -> Int32 {
        Int32(littleEndian: bytes.loadUnaligned(fromByteOffset: try take(4, field), as: Int32.self))
    }

    mutating func f32(_ field: String) throws(WireError) -> Double {
        let bits = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: try take(4, field), as: UInt32.self))
        return Double(Float(bitPattern: bits))
    }

    mutating func f64(_ field: String) throws(WireError) -> Double {
        let bits = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: try take(8, field), as: UInt64.self))
        return Double(bitPattern: bits)
    }

    /// Unsigned LEB128; rejects encodings longer than 10 bytes, overflow and non-minimal forms.
    mutating func varint(_ field: String) throws(WireError) -> UInt64 {
        let start = index
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = try u8(field)
            let payload = UInt64(byte & 0x7F)
            if shift == 63 && payload > 1 {
                throw WireError(.malformed, field: field, reason: "varint overflows 64 bits", offset: start)
            }
            result |= payload << shift
            if byte & 0x80 == 0 {
                if byte == 0 && shift > 0 {
                    throw WireError(.malformed, field: field, reason: "varint is not minimally encoded", offset: start)
                }
                return result
            }
            shift += 7
            if shift > 63 {
                throw WireError(.malformed, field: field, reason: "varint longer than 10 bytes", offset: start)
            }
        }
    }

    /// A varint that must fit in Int64 (range checks happen in validation).
    mutating func timestamp(_ field: String) throws(WireError) -> Int64 {
        let offset = index
        let value = try varint(field)
        guard value <= UInt64(Int64.max) else {
            throw WireError(.invalidValue, field: field, reason: "timestamp out of range", offset: offset)
        }
        return Int64(value)
    }

    /// A count prefix that must not exceed `max`.
    mutating func count(_ field: String, max: Int) throws(WireError) -> Int {
        let offset = index
        let value = try varint(field)
        guard value <= UInt64(max) else {
            throw WireError(.invalidValue, field: field, reason: "at most \(max) elements allowed (got \(value))", offset: offset)
        }
        return Int(value)
    }

    /// A varint that must not exceed `max` (a bounded integer field such as a count of completed stops).
    mutating func bounded(_ field: String, max: UInt64) throws(WireError) -> UInt64 {
        let offset = index
        let value = try varint(field)
        guard value <= max else {
            throw WireError(.invalidValue, field: field, reason: "must be within 0...\(max) (got \(value))", offset: offset)
        }
        return value
    }

    /// A length-prefixed UTF-8 string of at most `maxBytes` bytes.
    mutating func string(_ field: String, maxBytes: Int) throws(WireError) -> String {
        let offset = index
        let length = try varint(field)
        guard length <= UInt64(maxBytes) else {
            throw WireError(.invalidValue, field: field, reason: "string of \(length) bytes exceeds \(maxBytes)", offset: offset)
        }
        let start = try take(Int(length), field)
        let raw = UnsafeRawBufferPointer(rebasing: bytes[start..<index])
        guard let text = String(validating: raw, as: UTF8.self) else {
            throw WireError(.malformed, field: field, reason: "invalid UTF-8", offset: start)
        }
        return text
    }

    mutating func vehicleID(_ field: String) throws(WireError) -> VehicleID {
        let text = try string(field, maxBytes: FleetLimits.identifierLength.upperBound)
        do throws(ValidationError) {
            return try VehicleID(text)
        } catch {
            throw WireError(.invalidValue, field: field, reason: error.reason)
        }
    }

    mutating func messageID(_ field: String) throws(WireError) -> MessageID {
        let text = try string(field, maxBytes: FleetLimits.identifierLength.upperBound)
        do throws(ValidationError) {
            return try MessageID(text)
        } catch {
            throw WireError(.invalidValue, field: field, reason: error.reason)
        }
    }

    /// Latitude/longitude stored as Int32 × 1e-7 degree.
    mutating func coordinate(_ field: String) throws(WireError) -> Double {
        Double(try i32(field)) / 1e7
    }

    /// Heading stored as UInt16 hundredths of a degree.
    mutating func heading(_ field: String) throws(WireError) -> Double {
        Double(try u16(field)) / 100
    }

    /// An enum stored as one code byte.
    mutating func code<T>(_ field: String, _ decode: (UInt8) -> T?) throws(WireError) -> T {
        let offset = index
        let byte = try u8(field)
        guard let value = decode(byte) else {
            throw WireError(.invalidValue, field: field, reason: "unknown code \(byte)", offset: offset)
        }
        return value
    }
}
