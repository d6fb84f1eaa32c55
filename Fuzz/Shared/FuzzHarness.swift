// Shared by the libFuzzer entry points; compiled together with the FleetCore sources (one module).

/// Decodes `bytes` as every message type. Whatever decodes must survive re-encoding in both formats;
/// any mismatch traps so libFuzzer records the input.
enum FuzzHarness {
    static func run(_ data: UnsafePointer<UInt8>, _ size: Int, format: WireFormat) {
        let buffer = UnsafeRawBufferPointer(start: data, count: size)
        for kind in MessageKind.allCases {
            check(kind.messageType, buffer, format: format)
        }
        // Sniffing must agree with the explicit format whenever it claims one.
        if let sniffed = WireFormat.sniff(buffer), sniffed != format {
            for kind in MessageKind.allCases { check(kind.messageType, buffer, format: sniffed) }
        }
    }

    private static func check<M: WireMessage>(_ type: M.Type, _ buffer: UnsafeRawBufferPointer, format: WireFormat) {
        guard let decoded = try? FleetCodec.decode(M.self, from: buffer, format: format) else { return }
        do {
            try decoded.validate()
            let same = try FleetCodec.encode(decoded, format: format)
            let again = try FleetCodec.decode(M.self, from: same, format: format)
            guard again == decoded else { preconditionFailure("\(format) round trip changed \(decoded) into \(again)") }
            guard try FleetCodec.encode(again, format: format) == same else {
                preconditionFailure("\(format) re-encoding is not deterministic for \(decoded)")
            }
            // Binary quantises; after one pass it must be a fixed point.
            let quantised = try FleetCodec.decode(M.self, from: try FleetCodec.encode(decoded, format: .binary))
            let requantised = try FleetCodec.decode(M.self, from: try FleetCodec.encode(quantised, format: .binary))
            guard quantised == requantised else { preconditionFailure("binary quantisation not idempotent: \(quantised) vs \(requantised)") }
            let viaJSON = try FleetCodec.decode(M.self, from: try FleetCodec.encode(quantised, format: .json))
            guard viaJSON == quantised else { preconditionFailure("JSON changed \(quantised) into \(viaJSON)") }
        } catch {
            preconditionFailure("decoded \(decoded) but it failed to round-trip: \(error)")
        }
    }
}
