/// The two encodings of every FleetCore message.
public enum WireFormat: String, Hashable, Sendable, CaseIterable {
    /// Versioned, snake_case JSON (the default).
    case json
    /// Compact binary for constrained links (see `docs/wire-format.md`).
    case binary

    /// Detects the format from the first significant byte: `{` (after optional JSON whitespace) is JSON,
    /// `0xFB` is binary; anything else is `nil`.
    public static func sniff(_ bytes: some Collection<UInt8>) -> WireFormat? {
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "{"): return .json
            case BinaryWriter.magic: return .binary
            case 0x20, 0x09, 0x0A, 0x0D: continue
            default: return nil
            }
        }
        return nil
    }

    /// The MIME content type (MQTT v5 `content-type` property) for the format.
    public var contentType: String {
        switch self {
        case .json: "application/json"
        case .binary: "application/vnd.fleet.v1+binary"
        }
    }
}
