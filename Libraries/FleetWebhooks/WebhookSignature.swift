import Crypto
import Foundation

/// Verifies Standard Webhooks signatures (`v1,<base64 HMAC-SHA256(secret, id.timestamp.body)>`) for the demo receiver
/// and the benchmark (`fleetctl webhooks receive`, `fleetctl bench webhooks`), independently of the service's signer.
public struct WebhookSignature: Sendable {
    let key: SymmetricKey

    /// `whsec_<base64>`.
    public init?(secret: String) {
        guard secret.hasPrefix("whsec_"), let bytes = Data(base64Encoded: String(secret.dropFirst(6))), !bytes.isEmpty else { return nil }
        key = SymmetricKey(data: bytes)
    }

    /// Whether any `v1,` entry of `header` is the signature of the message.
    public func verify(id: String, timestamp: String, body: [UInt8], header: String) -> Bool {
        var hmac = HMAC<SHA256>(key: key)
        hmac.update(data: Array("\(id).\(timestamp).".utf8))
        hmac.update(data: body)
        let expected = Data(hmac.finalize())
        return header.split(separator: " ").contains { entry in
            guard entry.hasPrefix("v1,"), let given = Data(base64Encoded: String(entry.dropFirst(3))) else { return false }
            return given.count == expected.count && zip(given, expected).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
        }
    }
}
