/// A minimal streaming JSON writer: commas and escaping are handled here so
/// ``JSONLogHandler`` only describes structure.
struct JSONLineWriter {
    private(set) var text = ""
    /// Whether the current container still needs no comma before its next element.
    private var isFirstInContainer = [true]

    mutating func beginObject() {
        separate()
        text.append("{")
        isFirstInContainer.append(true)
    }

    mutating func endObject() {
        text.append("}")
        isFirstInContainer.removeLast()
    }

    mutating func beginArray() {
        separate()
        text.append("[")
        isFirstInContainer.append(true)
    }

    mutating func endArray() {
        text.append("]")
        isFirstInContainer.removeLast()
    }

    /// Writes `"key":`; the value written next belongs to it.
    mutating func key(_ key: String) {
        separate()
        Self.appendEscaped(key, to: &text)
        text.append(":")
        // The value that follows must not be preceded by a comma.
        isFirstInContainer[isFirstInContainer.count - 1] = true
    }

    mutating func string(_ value: String) {
        separate()
        Self.appendEscaped(value, to: &text)
    }

    mutating func field(_ name: String, _ value: String) {
        key(name)
        string(value)
    }

    mutating func newline() {
        text.append("\n")
    }

    private mutating func separate() {
        let index = isFirstInContainer.count - 1
        if isFirstInContainer[index] {
            isFirstInContainer[index] = false
        } else {
            text.append(",")
        }
    }

    /// Appends `value` as a JSON string literal (RFC 8259): quotes, backslashes and all
    /// control characters are escaped; everything else is emitted as UTF-8.
    static func appendEscaped(_ value: String, to text: inout String) {
        text.append("\"")
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text.append("\\\"")
            case "\\": text.append("\\\\")
            case "\n": text.append("\\n")
            case "\r": text.append("\\r")
            case "\t": text.append("\\t")
            case "\u{08}": text.append("\\b")
            case "\u{0C}": text.append("\\f")
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let hex = String(scalar.value, radix: 16, uppercase: true)
                text.append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
            default:
                text.unicodeScalars.append(scalar)
            }
        }
        text.append("\"")
    }
}
