import Crypto
import Foundation

/// Standard Webhooks signing: `webhook-signature: v1,<base64 HMAC-SHA256(secret, "{id}.{timestamp}.{body}")>`.
///
/// Secrets look like `whsec_<base64 of 32 random bytes>`; the HMAC key is the decoded bytes.
struct WebhookSigner: Sendable {
    /// The secret's key bytes.
    let key: SymmetricKey

    /// Accepts `whsec_<base64>` secrets.
    init?(secret: String) {
        guard secret.hasPrefix("whsec_"), let bytes = Data(base64Encoded: String(secret.dropFirst("whsec_".count))),
            !bytes.isEmpty
        else { return nil }
        key = SymmetricKey(data: bytes)
    }

    /// A new random secret.
    static func generateSecret() -> String {
        "whsec_" + Data(SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }).base64EncodedString()
    }

    /// The `webhook-signature` header value for one message.
    func signature(id: String, timestamp: Int64, body: some DataProtocol) -> String {
        var hmac = HMAC<SHA256>(key: key)
        hmac.update(data: Array("\(id).\(timestamp).".utf8))
        hmac.update(data: body)
        return "v1," + Data(hmac.finalize()).base64EncodedString()
    }

    /// Whether `header` (space-separated `v1,<sig>` entries) contains a valid signature; constant-time compare.
    func verify(id: String, timestamp: Int64, body: some DataProtocol, header: String) -> Bool {
        let expected = Array(signature(id: id, timestamp: timestamp, body: body).utf8)
        return header.split(separator: " ").contains { candidate in
            let bytes = Array(candidate.utf8)
            guard bytes.count == expected.count else { return false }
            return zip(bytes, expected).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
        }
    }
}
