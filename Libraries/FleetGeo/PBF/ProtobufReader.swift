/// A bounds-checked reader for the protobuf wire format (just what OSM PBF uses).
///
/// Works on a byte range of a buffer it does not own; callers keep the buffer alive.
/// `baseOffset` maps positions back to file offsets for error messages.
struct ProtobufReader {
    /// Protobuf wire types.
    enum WireType: UInt64 {
        case varint = 0
        case fixed64 = 1
        case lengthDelimited = 2
        case fixed32 = 5
    }

    private let bytes: UnsafeRawBufferPointer
    private(set) var index: Int
    private let end: Int
    private let baseOffset: Int

    init(bytes: UnsafeRawBufferPointer, range: Range<Int>? = nil, baseOffset: Int = 0) {
        self.bytes = bytes
        let range = range ?? 0..<bytes.count
        index = range.lowerBound
        end = range.upperBound
        self.baseOffset = baseOffset
    }

    var isAtEnd: Bool { index >= end }

    /// A reader over a sub-range returned by ``lengthDelimited()``.
    func reader(for range: Range<Int>) -> ProtobufReader {
        ProtobufReader(bytes: bytes, range: range, baseOffset: baseOffset)
    }

    private func error(_ kind: OSMError.Kind, _ reason: String) -> OSMError {
        OSMError(kind, reason: reason, location: baseOffset + index)
    }

    /// The next field key, or `nil` at the end of the message.
    mutating func nextField() throws(OSMError) -> (number: Int, wireType: WireType)? {
        guard !isAtEnd else { return nil }
        let key = try varint()
        guard let wireType = WireType(rawValue: key & 7) else {
            throw error(.malformed, "unsupported protobuf wire type \(key & 7)")
        }
        let number = key >> 3
        guard number > 0, number <= 0x1FFF_FFFF else { throw error(.malformed, "invalid protobuf field number \(number)") }
        return (Int(number), wireType)
    }

    /// A base-128 varint (at most 10 bytes).
    @inline(__always)
    mutating func varint() throws(OSMError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard index < end else { throw error(.truncated, "varint runs past the end of its message") }
            let byte = bytes[index]
            index += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
            guard shift < 64 else { throw error(.malformed, "varint longer than 10 bytes") }
        }
    }

    /// A zigzag-encoded signed varint (`sint32`/`sint64`).
    @inline(__always)
    mutating func signedVarint() throws(OSMError) -> Int64 {
        let raw = try varint()
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    /// A plain `int32`/`int64` varint (two's complement).
    mutating func int64() throws(OSMError) -> Int64 {
        Int64(bitPattern: try varint())
    }

    /// The byte range of a length-delimited field (sub-message, string, bytes or packed array).
    mutating func lengthDelimited() throws(OSMError) -> Range<Int> {
        let length = try varint()
        guard length <= UInt64(end - index) else {
            throw error(.truncated, "length-delimited field of \(length) bytes runs past the end of its message")
        }
        let start = index
        index += Int(length)
        return start..<index
    }

    /// Skips a field's value.
    mutating func skip(_ wireType: WireType) throws(OSMError) {
        switch wireType {
        case .varint: _ = try varint()
        case .lengthDelimited: _ = try lengthDelimited()
        case .fixed64: try advance(8)
        case .fixed32: try advance(4)
        }
    }

    private mutating func advance(_ count: Int) throws(OSMError) {
        guard end - index >= count else { throw error(.truncated, "fixed-width field runs past the end of its message") }
        index += count
    }

    /// Decodes `range` as UTF-8 (invalid sequences are repaired, as OSM tools do).
    func string(_ range: Range<Int>) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    /// Whether the bytes in `range` equal `literal`'s UTF-8.
    func bytes(_ range: Range<Int>, equal literal: StaticString) -> Bool {
        guard range.count == literal.utf8CodeUnitCount else { return false }
        let pointer = literal.utf8Start
        for (offset, position) in range.enumerated() where bytes[position] != pointer[offset] {
            return false
        }
        return true
    }
}
