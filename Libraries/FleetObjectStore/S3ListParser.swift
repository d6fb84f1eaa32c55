import Foundation

/// Reads the two XML documents S3 answers with here: `ListBucketResult` (ListObjectsV2) and `Error`.
///
/// A small scanner for their flat, fixed elements rather than a general XML parser (FoundationXML would bring libxml2
/// into every image).
enum S3ListParser {
    struct Page {
        var objects: [ObjectInfo]
        var isTruncated: Bool
        var nextToken: String?
    }

    static func parse(_ body: [UInt8]) throws -> Page {
        let text = String(decoding: body, as: UTF8.self)
        guard text.contains("<ListBucketResult") else {
            throw ObjectStoreError.malformedResponse("expected a ListBucketResult document")
        }
        var objects: [ObjectInfo] = []
        for contents in elements("Contents", in: text) {
            guard let key = first("Key", in: contents), let size = first("Size", in: contents).flatMap(Int.init) else {
                throw ObjectStoreError.malformedResponse("a listed object without Key or Size")
            }
            objects.append(ObjectInfo(key: key, size: size, etag: first("ETag", in: contents).map(S3ObjectStore.unquote)))
        }
        return Page(
            objects: objects, isTruncated: first("IsTruncated", in: text) == "true",
            nextToken: first("NextContinuationToken", in: text))
    }

    /// `Code` and `Message` of an S3 error document, when the body is one.
    static func error(_ body: [UInt8]) -> (code: String?, message: String?) {
        let text = String(decoding: body, as: UTF8.self)
        return (first("Code", in: text), first("Message", in: text))
    }

    /// The unescaped text of the first `<name>…</name>` in `text`.
    static func first(_ name: String, in text: Substring) -> String? {
        elements(name, in: text).first.map { unescape(String($0)) }
    }

    static func first(_ name: String, in text: String) -> String? { first(name, in: Substring(text)) }

    /// The contents of every `<name>…</name>` (also `<name attr…>`), in order.
    static func elements(_ name: String, in text: some StringProtocol) -> [Substring] {
        let text = Substring(text)
        var result: [Substring] = []
        var rest = text[...]
        let close = "</\(name)>"
        while let open = rest.range(of: "<\(name)") {
            let after = rest[open.upperBound...]
            guard let first = after.first, first == ">" || first == " " else {
                rest = after
                continue
            }
            guard let tagEnd = after.firstIndex(of: ">"), let end = after.range(of: close) else { break }
            result.append(after[after.index(after: tagEnd)..<end.lowerBound])
            rest = after[end.upperBound...]
        }
        return result
    }

    static func unescape(_ value: String) -> String {
        guard value.contains("&") else { return value }
        return value.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&amp;", with: "&")
    }
}
