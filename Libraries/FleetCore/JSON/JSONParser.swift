/// A strict RFC 8259 parser over raw UTF-8 bytes.
///
/// Rejects: invalid UTF-8 (overlong forms, surrogates, > U+10FFFF), unescaped control characters,
/// bad escapes and lone surrogate escapes, leading zeros, `NaN`/`Infinity`, trailing commas,
/// duplicate object keys, nesting deeper than `maxDepth`, and anything after the top-level value.
/// Recursion depth is bounded by `maxDepth`, so hostile input cannot exhaust the stack.
struct JSONParser {
    private let bytes: UnsafeRawBufferPointer
    private let maxDepth: Int
    private var index = 0

    /// Number literals longer than this are rejected (RFC 8259 §9 permits limits).
    static let maxNumberLength = 256
    /// Objects with more members than this switch duplicate detection from a scan to a set.
    private static let linearDuplicateScanLimit = 48

    private init(bytes: UnsafeRawBufferPointer, maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    /// Parses exactly one JSON value spanning all of `bytes` (surrounding whitespace allowed).
    static func parse(_ bytes: UnsafeRawBufferPointer, maxDepth: Int) throws(WireError) -> JSONValue {
        var parser = JSONParser(bytes: bytes, maxDepth: min(max(maxDepth, 1), 512))
        parser.skipWhitespace()
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        guard parser.index == bytes.count else {
            throw WireError(.trailingData, reason: "unexpected data after the JSON value", offset: parser.index)
        }
        return value
    }

    // MARK: Values

    private mutating func parseValue(depth: Int) throws(WireError) -> JSONValue {
        guard index < bytes.count else { throw truncated("a value") }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["):
            return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""):
            return .string(try parseString())
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .number(try parseNumber())
        default:
            throw malformed("unexpected character \(describe(bytes[index])) where a value was expected")
        }
    }

    private mutating func parseObject(depth: Int) throws(WireError) -> JSONValue {
        guard depth <= maxDepth else {
            throw WireError(.tooDeep, reason: "nesting deeper than \(maxDepth) levels", offset: index)
        }
        index += 1  // {
        var members: [JSONMember] = []
        skipWhitespace()
        if index < bytes.count && bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object(members)
        }
        members.reserveCapacity(16)
        var hashSet: Set<UInt64>?
        while true {
            skipWhitespace()
            guard index < bytes.count else { throw truncated("an object key") }
            guard bytes[index] == UInt8(ascii: "\"") else {
                throw malformed("expected a string key, found \(describe(bytes[index]))")
            }
            let keyOffset = index
            let key = try parseString()
            // Escapes always lengthen the raw form, so equal lengths mean the raw bytes are the key.
            let rawKey = UnsafeRawBufferPointer(rebasing: bytes[(keyOffset + 1)..<(index - 1)])
            let keyHash = rawKey.count == key.utf8.count ? JSONKeyHash.of(rawKey) : JSONKeyHash.of(key)
            // Duplicate detection compares 64-bit key hashes; strings only on a hash match. Large
            // objects (only possible in ignored members) switch to a hash set to stay linear.
            if members.count < JSONParser.linearDuplicateScanLimit {
                for member in members where member.keyHash == keyHash && member.key == key {
                    throw WireError(.malformed, field: key, reason: "duplicate key", offset: keyOffset)
                }
            } else {
                if hashSet == nil { hashSet = Set(members.map(\.keyHash)) }
                if hashSet?.insert(keyHash).inserted == false {
                    for member in members where member.keyHash == keyHash && member.key == key {
                        throw WireError(.malformed, field: key, reason: "duplicate key", offset: keyOffset)
                    }
                }
            }
            skipWhitespace()
            guard index < bytes.count else { throw truncated("':'") }
            guard bytes[index] == UInt8(ascii: ":") else { throw malformed("expected ':' after key, found \(describe(bytes[index]))") }
            index += 1
            skipWhitespace()
            let value = try parseValue(depth: depth)
            members.append(JSONMember(key: key, keyHash: keyHash, value: value))
            skipWhitespace()
            guard index < bytes.count else { throw truncated("',' or '}'") }
            switch bytes[index] {
            case UInt8(ascii: ","):
                index += 1
            case UInt8(ascii: "}"):
                index += 1
                return .object(members)
            default:
                throw malformed("expected ',' or '}' in object, found \(describe(bytes[index]))")
            }
        }
    }

    private mutating func parseArray(depth: Int) throws(WireError) -> JSONValue {
        guard depth <= maxDepth else {
            throw WireError(.tooDeep, reason: "nesting deeper than \(maxDepth) levels", offset: index)
        }
        index += 1  // [
        var elements: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count && bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try parseValue(depth: depth))
            skipWhitespace()
            guard index < bytes.count else { throw truncated("',' or ']'") }
            switch bytes[index] {
            case UInt8(ascii: ","):
                index += 1
            case UInt8(ascii: "]"):
                index += 1
                return .array(elements)
            default:
                throw malformed("expected ',' or ']' in array, found \(describe(bytes[index]))")
            }
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(WireError) {
        let count = literal.utf8CodeUnitCount
        guard bytes.count - index >= count else { throw truncated("'\(literal)'") }
        let start = literal.utf8Start
        for offset in 0..<count where bytes[index + offset] != start[offset] {
            throw malformed("invalid literal (expected '\(literal)')")
        }
        index += count
    }

    // MARK: Numbers

    private mutating func parseNumber() throws(WireError) -> JSONNumber {
        let start = index
        var negative = false
        if bytes[index] == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        var significand: UInt64 = 0
        var significantDigits = 0
        var overflow = false
        var exponent = 0
        var isInteger = true

        guard index < bytes.count else { throw truncated("a digit") }
        guard let first = digit(at: index) else { throw malformed("expected a digit after '-'") }
        if first == 0 {
            index += 1
            if index < bytes.count, digit(at: index) != nil {
                throw malformed("leading zeros are not allowed in numbers")
            }
        } else {
            while index < bytes.count, let d = digit(at: index) {
                if significantDigits < 19 {
                    significand = significand &* 10 &+ d
                    significantDigits += 1
                } else {
                    overflow = true
                }
                index += 1
            }
        }
        if index < bytes.count && bytes[index] == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            guard index < bytes.count else { throw truncated("a digit after '.'") }
            guard digit(at: index) != nil else { throw malformed("expected a digit after '.'") }
            while index < bytes.count, let d = digit(at: index) {
                if significand == 0 && d == 0 {
                    exponent -= 1
                } else if significantDigits < 19 {
                    significand = significand &* 10 &+ d
                    significantDigits += 1
                    exponent -= 1
                } else {
                    overflow = true
                }
                index += 1
            }
        }
        if index < bytes.count && (bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E")) {
            isInteger = false
            index += 1
            var exponentNegative = false
            if index < bytes.count && (bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-")) {
                exponentNegative = bytes[index] == UInt8(ascii: "-")
                index += 1
            }
            guard index < bytes.count else { throw truncated("an exponent digit") }
            guard digit(at: index) != nil else { throw malformed("expected a digit in the exponent") }
            var explicit = 0
            while index < bytes.count, let d = digit(at: index) {
                if explicit < 1_000_000 { explicit = explicit * 10 + Int(d) }
                index += 1
            }
            exponent += exponentNegative ? -explicit : explicit
        }
        guard index - start <= JSONParser.maxNumberLength else {
            throw WireError(.malformed, reason: "number literal longer than \(JSONParser.maxNumberLength) characters", offset: start)
        }
        var number = JSONNumber(
            negative: negative, significand: significand, exponent: exponent, isInteger: isInteger, text: nil)
        if overflow || !JSONNumber.isFastPath(significand: significand, exponent: exponent) {
            number.text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        }
        return number
    }

    @inline(__always)
    private func digit(at position: Int) -> UInt64? {
        let byte = bytes[position]
        guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return nil }
        return UInt64(byte &- UInt8(ascii: "0"))
    }

    // MARK: Strings

    /// Parses a string starting at the opening quote. Fast path: no escapes, copied straight from the input.
    private mutating func parseString() throws(WireError) -> String {
        index += 1  // opening quote
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                index += 1
                return text
            }
            if byte == UInt8(ascii: "\\") {
                return try parseEscapedString(from: start)
            }
            if byte < 0x20 {
                throw malformed("unescaped control character \(describe(byte)) in string")
            }
            if byte < 0x80 {
                index += 1
            } else {
                try skipUTF8Sequence()
            }
        }
        throw truncated("closing '\"'")
    }

    private mutating func parseEscapedString(from start: Int) throws(WireError) -> String {
        var scratch: [UInt8] = []
        scratch.reserveCapacity(index - start + 16)
        scratch.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<index]))
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return String(decoding: scratch, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try parseEscape(into: &scratch)
            case 0..<0x20:
                throw malformed("unescaped control character \(describe(byte)) in string")
            case 0x20..<0x80:
                scratch.append(byte)
                index += 1
            default:
                let sequenceStart = index
                try skipUTF8Sequence()
                scratch.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[sequenceStart..<index]))
            }
        }
        throw truncated("closing '\"'")
    }

    private mutating func parseEscape(into scratch: inout [UInt8]) throws(WireError) {
        index += 1  // backslash
        guard index < bytes.count else { throw truncated("an escape character") }
        let escaped = bytes[index]
        index += 1
        switch escaped {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scratch.append(escaped)
        case UInt8(ascii: "b"): scratch.append(0x08)
        case UInt8(ascii: "f"): scratch.append(0x0C)
        case UInt8(ascii: "n"): scratch.append(0x0A)
        case UInt8(ascii: "r"): scratch.append(0x0D)
        case UInt8(ascii: "t"): scratch.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = UInt32(try parseHex4())
            if (0xD800...0xDBFF).contains(scalar) {
                guard bytes.count - index >= 2, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
                else { throw malformed("high surrogate escape not followed by a low surrogate escape") }
                index += 2
                let low = UInt32(try parseHex4())
                guard (0xDC00...0xDFFF).contains(low) else {
                    throw malformed("high surrogate escape not followed by a low surrogate escape")
                }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(scalar) {
                throw malformed("lone low surrogate escape")
            }
            JSONParser.appendUTF8(scalar, to: &scratch)
        default:
            index -= 1
            throw malformed("invalid escape '\\\(describe(escaped))'")
        }
    }

    private mutating func parseHex4() throws(WireError) -> UInt16 {
        guard bytes.count - index >= 4 else { throw truncated("4 hex digits") }
        var value: UInt16 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let nibble: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = byte - UInt8(ascii: "A") + 10
            default: throw malformed("invalid hex digit \(describe(byte)) in \\u escape")
            }
            value = value << 4 | UInt16(nibble)
            index += 1
        }
        return value
    }

    /// Appends the UTF-8 form of a scalar value (surrogates already excluded by the caller).
    private static func appendUTF8(_ scalar: UInt32, to scratch: inout [UInt8]) {
        switch scalar {
        case 0..<0x80:
            scratch.append(UInt8(scalar))
        case 0x80..<0x800:
            scratch.append(UInt8(0xC0 | scalar >> 6))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            scratch.append(UInt8(0xE0 | scalar >> 12))
            scratch.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        default:
            scratch.append(UInt8(0xF0 | scalar >> 18))
            scratch.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            scratch.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        }
    }

    /// Validates one multi-byte UTF-8 sequence at `index` (Unicode Table 3-7) and skips it.
    private mutating func skipUTF8Sequence() throws(WireError) {
        let lead = bytes[index]
        let continuationCount: Int
        var secondRange: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0xC2...0xDF: continuationCount = 1
        case 0xE0: continuationCount = 2; secondRange = 0xA0...0xBF
        case 0xE1...0xEC, 0xEE...0xEF: continuationCount = 2
        case 0xED: continuationCount = 2; secondRange = 0x80...0x9F
        case 0xF0: continuationCount = 3; secondRange = 0x90...0xBF
        case 0xF1...0xF3: continuationCount = 3
        case 0xF4: continuationCount = 3; secondRange = 0x80...0x8F
        default: throw malformed("invalid UTF-8 lead byte \(describe(lead))")
        }
        guard bytes.count - index > continuationCount else { throw malformed("truncated UTF-8 sequence") }
        guard secondRange.contains(bytes[index + 1]) else { throw malformed("invalid UTF-8 sequence") }
        if continuationCount > 1 {
            for offset in 2...continuationCount where bytes[index + offset] & 0xC0 != 0x80 {
                throw malformed("invalid UTF-8 sequence")
            }
        }
        index += continuationCount + 1
    }

    // MARK: Helpers

    @inline(__always)
    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private func malformed(_ reason: String) -> WireError {
        WireError(.malformed, reason: reason, offset: index)
    }

    private func truncated(_ expected: String) -> WireError {
        WireError(.truncated, reason: "unexpected end of input, expected \(expected)", offset: index)
    }

    private func describe(_ byte: UInt8) -> String {
        if byte >= 0x21 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        let hex = String(byte, radix: 16, uppercase: true)
        return "0x" + (hex.count == 1 ? "0" + hex : hex)
    }
}
