/// Splits a PostgreSQL script into individual statements.
///
/// PostgresNIO sends queries with the extended protocol, which accepts one statement per
/// query, so migration files are split at top-level semicolons. Semicolons inside
/// `'strings'`, `E'escape\'d strings'`, `"identifiers"`, `$tag$dollar-quoted bodies$tag$`,
/// `-- line comments` and `/* nested block comments */` are not boundaries.
/// Statements that contain only comments or whitespace are dropped.
///
/// Not supported: SQL-standard function bodies (`BEGIN ATOMIC … END`); write those with a
/// dollar-quoted body instead.
enum SQLStatementSplitter {
    static func split(_ sql: String) -> [String] {
        let bytes = Array(sql.utf8)
        var statements: [String] = []
        var statementStart = 0
        var hasContent = false
        var index = 0

        func finishStatement(endingAt end: Int) {
            if hasContent {
                let text = String(decoding: bytes[statementStart..<end], as: UTF8.self)
                statements.append(text.trimmingWhitespace())
            }
            statementStart = end + 1
            hasContent = false
        }

        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: ";"):
                finishStatement(endingAt: index)
                index += 1
            case UInt8(ascii: "-") where peek(bytes, index + 1) == UInt8(ascii: "-"):
                index = skipLineComment(bytes, from: index)
            case UInt8(ascii: "/") where peek(bytes, index + 1) == UInt8(ascii: "*"):
                index = skipBlockComment(bytes, from: index)
            case UInt8(ascii: "'"):
                let isEscapeString =
                    index > 0 && (bytes[index - 1] == UInt8(ascii: "E") || bytes[index - 1] == UInt8(ascii: "e"))
                    && !(index > 1 && isIdentifierByte(bytes[index - 2]))
                hasContent = true
                index = skipQuoted(bytes, from: index, quote: UInt8(ascii: "'"), backslashEscapes: isEscapeString)
            case UInt8(ascii: "\""):
                hasContent = true
                index = skipQuoted(bytes, from: index, quote: UInt8(ascii: "\""), backslashEscapes: false)
            case UInt8(ascii: "$") where !(index > 0 && isIdentifierByte(bytes[index - 1])):
                hasContent = true
                if let tagEnd = dollarTagEnd(bytes, from: index) {
                    index = skipDollarQuoted(bytes, tag: Array(bytes[index...tagEnd]), bodyStart: tagEnd + 1)
                } else {
                    index += 1
                }
            default:
                if !isWhitespace(byte) {
                    hasContent = true
                }
                index += 1
            }
        }
        finishStatement(endingAt: bytes.count)
        return statements
    }

    private static func peek(_ bytes: [UInt8], _ index: Int) -> UInt8? {
        index < bytes.count ? bytes[index] : nil
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\t")
            || byte == UInt8(ascii: "\r") || byte == 0x0C
    }

    /// Letters, digits, `_`, `$` and any non-ASCII byte can continue an identifier.
    private static func isIdentifierByte(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
            || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "$") || byte >= 0x80
    }

    private static func skipLineComment(_ bytes: [UInt8], from start: Int) -> Int {
        var index = start + 2
        while index < bytes.count && bytes[index] != UInt8(ascii: "\n") {
            index += 1
        }
        return index
    }

    /// PostgreSQL block comments nest.
    private static func skipBlockComment(_ bytes: [UInt8], from start: Int) -> Int {
        var depth = 0
        var index = start
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "/") && peek(bytes, index + 1) == UInt8(ascii: "*") {
                depth += 1
                index += 2
            } else if bytes[index] == UInt8(ascii: "*") && peek(bytes, index + 1) == UInt8(ascii: "/") {
                depth -= 1
                index += 2
                if depth == 0 { return index }
            } else {
                index += 1
            }
        }
        return index
    }

    /// Skips a quoted string or identifier; a doubled quote is an escaped quote.
    private static func skipQuoted(_ bytes: [UInt8], from start: Int, quote: UInt8, backslashEscapes: Bool) -> Int {
        var index = start + 1
        while index < bytes.count {
            let byte = bytes[index]
            if backslashEscapes && byte == UInt8(ascii: "\\") {
                index += 2
            } else if byte == quote {
                if peek(bytes, index + 1) == quote {
                    index += 2
                } else {
                    return index + 1
                }
            } else {
                index += 1
            }
        }
        return index
    }

    /// If a dollar-quote opening tag (`$$` or `$tag$`) starts at `start`, the index of its closing `$`.
    private static func dollarTagEnd(_ bytes: [UInt8], from start: Int) -> Int? {
        var index = start + 1
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "$") {
                return index
            }
            let isDigit = byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
            // A tag cannot start with a digit: `$1` is a parameter, not a quote.
            guard isIdentifierByte(byte), !(index == start + 1 && isDigit) else {
                return nil
            }
            index += 1
        }
        return nil
    }

    private static func skipDollarQuoted(_ bytes: [UInt8], tag: [UInt8], bodyStart: Int) -> Int {
        var index = bodyStart
        while index + tag.count <= bytes.count {
            if bytes[index] == UInt8(ascii: "$") && bytes[index..<(index + tag.count)].elementsEqual(tag) {
                return index + tag.count
            }
            index += 1
        }
        return bytes.count
    }
}

extension String {
    fileprivate func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else {
            return ""
        }
        return String(scalars[first...last])
    }
}
