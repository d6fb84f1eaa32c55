import Crypto
import Foundation

/// API token secrets: generated with a CSPRNG, stored and looked up only as their SHA-256.
enum TokenSecret {
    /// The prefix of every generated secret, so leaked tokens are easy to recognise.
    static let prefix = "fct_"

    /// A new secret: `fct_` + 32 random bytes as lower-case hex.
    static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return prefix + hex(bytes)
    }

    /// The lower-case hex SHA-256 of `secret`, the only form that is stored.
    static func hash(_ secret: String) -> String {
        hex(Array(SHA256.hash(data: Data(secret.utf8))))
    }

    /// A new token id (`tok_` + 12 random hex characters): public, shown in lists and the audit log.
    static func newTokenID() -> String {
        var generator = SystemRandomNumberGenerator()
        return "tok_" + hex((0..<6).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var result: [UInt8] = []
        for byte in bytes {
            result.append(digits[Int(byte >> 4)])
            result.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: result, as: UTF8.self)
    }
}
