import Crypto

/// AWS Signature Version 4 for S3 requests (header-based, signed payload hash).
///
/// Signs `host`, `x-amz-content-sha256`, `x-amz-date` and, with temporary credentials, `x-amz-security-token`; the
/// payload hash is the body's real SHA-256, so the store refuses a body altered in transit.
struct SigV4Signer: Sendable {
    var accessKeyID: String
    var secretAccessKey: String
    var sessionToken: String?
    var region: String
    var service = "s3"

    /// The headers to add to a request: `x-amz-date`, `x-amz-content-sha256`, the token if any, and `authorization`.
    /// `path` is the already-encoded request path; `query` the decoded parameters.
    func headers(
        method: String, host: String, path: String, query: [(String, String)], payloadSHA256 hash: String,
        epochSeconds: Int64
    ) -> [(String, String)] {
        let (date, amzDate) = Self.timestamps(epochSeconds: epochSeconds)
        var signed: [(String, String)] = [("host", host), ("x-amz-content-sha256", hash), ("x-amz-date", amzDate)]
        if let sessionToken { signed.append(("x-amz-security-token", sessionToken)) }
        signed.sort { $0.0 < $1.0 }
        let canonicalQuery = query.map { (Self.encode($0.0), Self.encode($0.1)) }.sorted { $0 < $1 }
            .map { "\($0.0)=\($0.1)" }.joined(separator: "&")
        let signedHeaders = signed.map(\.0).joined(separator: ";")
        let canonicalRequest = [
            method, path, canonicalQuery, signed.map { "\($0.0):\($0.1)\n" }.joined(), signedHeaders, hash,
        ].joined(separator: "\n")
        let scope = "\(date)/\(region)/\(service)/aws4_request"
        let stringToSign = "AWS4-HMAC-SHA256\n\(amzDate)\n\(scope)\n\(Self.hex(SHA256.hash(data: Array(canonicalRequest.utf8))))"
        var key = SymmetricKey(data: Array("AWS4\(secretAccessKey)".utf8))
        for part in [date, region, service, "aws4_request"] {
            key = SymmetricKey(data: Array(HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key)))
        }
        let signature = Self.hex(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: key))
        var result = signed.filter { $0.0 != "host" }
        result.append((
            "authorization",
            "AWS4-HMAC-SHA256 Credential=\(accessKeyID)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
        ))
        return result
    }

    /// Hex SHA-256 of a body.
    static func payloadHash(_ body: [UInt8]) -> String { ObjectDigest.sha256Hex(body) }

    /// `yyyyMMdd` and `yyyyMMdd'T'HHmmss'Z'` in UTC.
    static func timestamps(epochSeconds: Int64) -> (date: String, amzDate: String) {
        let days = epochSeconds >= 0 ? epochSeconds / 86_400 : (epochSeconds - 86_399) / 86_400
        let secondOfDay = epochSeconds - days * 86_400
        let (year, month, day) = civil(daysSinceEpoch: days)
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let date = "\(year)\(two(month))\(two(day))"
        let time = "\(two(secondOfDay / 3600))\(two(secondOfDay / 60 % 60))\(two(secondOfDay % 60))"
        return (date, "\(date)T\(time)Z")
    }

    /// Gregorian (year, month, day) of a day count since 1970-01-01 (H. Hinnant's civil-from-days).
    static func civil(daysSinceEpoch: Int64) -> (Int64, Int64, Int64) {
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// RFC 3986 percent-encoding of everything but the unreserved characters; `keepSlash` for object key paths.
    static func encode(_ value: String, keepSlash: Bool = false) -> String {
        var out = ""
        out.reserveCapacity(value.utf8.count)
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: "/") where keepSlash:
                out.append("/")
            default:
                let digits = Array("0123456789ABCDEF".utf8)
                out.append("%")
                out.unicodeScalars.append(Unicode.Scalar(digits[Int(byte >> 4)]))
                out.unicodeScalars.append(Unicode.Scalar(digits[Int(byte & 0x0F)]))
            }
        }
        return out
    }

    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var bytes: [UInt8] = []
        for byte in digest {
            bytes.append(digits[Int(byte >> 4)])
            bytes.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
