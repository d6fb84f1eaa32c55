import FleetTestSupport
import Foundation

/// An independent Standard Webhooks verifier: a few lines of Python's `hmac`, `hashlib` and `base64`, run with posix_spawn.
enum SignatureVerifier {
    static let script = """
        import base64, hashlib, hmac, sys
        secret, msg_id, timestamp, header, path = sys.argv[1:6]
        body = open(path, 'rb').read()
        key = base64.b64decode(secret.split('_', 1)[1])
        expected = base64.b64encode(hmac.new(key, f'{msg_id}.{timestamp}.'.encode() + body, hashlib.sha256).digest()).decode()
        ok = any(hmac.compare_digest(part.split(',', 1)[1], expected) for part in header.split() if part.startswith('v1,'))
        sys.exit(0 if ok else 1)
        """

    /// Whether Python accepts `signature` for the message.
    static func verify(secret: String, id: String, timestamp: String, signature: String, body: String) throws -> Bool {
        let directory = FileManager.default.temporaryDirectory
        let scriptFile = directory.appendingPathComponent("verify-\(UUID()).py")
        let bodyFile = directory.appendingPathComponent("body-\(UUID()).json")
        defer {
            try? FileManager.default.removeItem(at: scriptFile)
            try? FileManager.default.removeItem(at: bodyFile)
        }
        try script.write(to: scriptFile, atomically: true, encoding: .utf8)
        try Data(body.utf8).write(to: bodyFile)
        return try TestBroker.runTool("python3", [scriptFile.path, secret, id, timestamp, signature, bodyFile.path]) == 0
    }
}
