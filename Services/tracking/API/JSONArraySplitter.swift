/// Splits a JSON document into the byte ranges of its top-level array elements, so that each
/// element of a `POST /v1/telemetry` batch goes through the same decoder as an MQTT payload.
/// Returns nil when the document is not an array; a single object is returned as one element.
enum JSONArraySplitter {
    static func elements(of bytes: [UInt8]) -> [ArraySlice<UInt8>]? {
        var start = 0
        while start < bytes.count, isSpace(bytes[start]) { start += 1 }
        guard start < bytes.count else { return nil }
        if bytes[start] == UInt8(ascii: "{") { return [bytes[...]] }
        guard bytes[start] == UInt8(ascii: "[") else { return nil }
        var elements: [ArraySlice<UInt8>] = []
        var depth = 0
        var inString = false
        var escaped = false
        var elementStart: Int?
        var index = start + 1
        while index < bytes.count {
            let byte = bytes[index]
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
            } else {
                switch byte {
                case UInt8(ascii: "\""):
                    inString = true
                    if elementStart == nil { elementStart = index }
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    if elementStart == nil { elementStart = index }
                    depth += 1
                case UInt8(ascii: "}"):
                    depth -= 1
                case UInt8(ascii: "]"):
                    if depth == 0 {
                        if let s = elementStart { elements.append(trimmed(bytes, s, index)) }
                        // Only whitespace may follow the closing bracket.
                        return bytes[(index + 1)...].allSatisfy(isSpace) ? elements : nil
                    }
                    depth -= 1
                case UInt8(ascii: ","):
                    if depth == 0 {
                        guard let s = elementStart else { return nil }
                        elements.append(trimmed(bytes, s, index))
                        elementStart = nil
                    }
                default:
                    if elementStart == nil && !isSpace(byte) { elementStart = index }
                }
                if depth < 0 { return nil }
            }
            index += 1
        }
        return nil
    }

    private static func trimmed(_ bytes: [UInt8], _ start: Int, _ end: Int) -> ArraySlice<UInt8> {
        var e = end
        while e > start, isSpace(bytes[e - 1]) { e -= 1 }
        return bytes[start..<e]
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }
}
