import FleetCore
import Testing

@Suite("Binary rejection and robustness")
struct BinaryRejectionTests {
    /// Decodes `bytes` as `M`; on success, requires the value to survive encode → decode in both formats
    /// (exactly, except JSON → binary, which quantises).
    static func decodeIsSound<M: WireMessage>(_ type: M.Type, _ bytes: [UInt8], format: WireFormat? = nil) -> Bool {
        guard let decoded = try? FleetCodec.decode(M.self, from: bytes, format: format) else { return false }
        let source = format ?? WireFormat.sniff(bytes) ?? .json
        for target in WireFormat.allCases {
            do {
                let again = try FleetCodec.encode(decoded, format: target)
                let back = try FleetCodec.decode(M.self, from: again, format: target)
                if !(source == .json && target == .binary) {
                    #expect(back == decoded, "\(source) → \(target)")
                }
            } catch {
                Issue.record("decoded \(decoded) from \(source) but re-encoding as \(target) failed: \(error)")
            }
        }
        return true
    }

    static func anyDecodeIsSound(_ kind: MessageKind, _ bytes: [UInt8], format: WireFormat? = nil) -> Bool {
        func open<M: WireMessage>(_ type: M.Type) -> Bool { decodeIsSound(type, bytes, format: format) }
        return open(kind.messageType)
    }

    @Test("every strict prefix of a valid message is rejected", arguments: MessageKind.allCases)
    func truncation(kind: MessageKind) throws {
        var generator = MessageGenerator(seed: 99 &+ UInt64(kind.binaryTypeCode), binaryExact: true)
        var messages = [Fixtures.message(kind)]
        for _ in 0..<20 { messages.append(generator.message(kind)) }
        for (index, message) in messages.enumerated() {
            // JSON prefixes are quadratic in the message size, so only the fixture is cut at every byte.
            for format in WireFormat.allCases where format == .binary || index == 0 {
                let bytes = try FleetCodec.encode(message, format: format)
                for length in 0..<bytes.count {
                    let prefix = Array(bytes[0..<length])
                    #expect(
                        !BinaryRejectionTests.anyDecodeIsSound(kind, prefix, format: format),
                        "\(format) prefix of \(length)/\(bytes.count) bytes accepted")
                }
            }
        }
    }

    @Test("trailing bytes are rejected", arguments: MessageKind.allCases)
    func trailing(kind: MessageKind) throws {
        let bytes = try FleetCodec.encode(Fixtures.message(kind), format: .binary)
        for extra: [UInt8] in [[0], [0xFB], [1, 2, 3]] {
            do {
                func open<M: WireMessage>(_ type: M.Type) throws(WireError) { _ = try FleetCodec.decode(type, from: bytes + extra) }
                try open(kind.messageType)
                Issue.record("trailing bytes accepted")
            } catch {
                #expect(error.kind == .trailingData)
            }
        }
    }

    @Test("random byte flips never crash and never yield unsound values", arguments: MessageKind.allCases)
    func byteFlips(kind: MessageKind) throws {
        var generator = MessageGenerator(seed: 7 &+ UInt64(kind.binaryTypeCode), binaryExact: true)
        var rng = SplitMix64(seed: 1234 &+ UInt64(kind.binaryTypeCode))
        for _ in 0..<300 {
            let message = generator.message(kind)
            for format in WireFormat.allCases {
                var bytes = try FleetCodec.encode(message, format: format)
                for _ in 0..<Int.random(in: 1...3, using: &rng) {
                    let index = Int.random(in: 0..<bytes.count, using: &rng)
                    bytes[index] ^= UInt8.random(in: 1...255, using: &rng)
                }
                _ = BinaryRejectionTests.anyDecodeIsSound(kind, bytes)
            }
        }
    }

    @Test("random garbage never crashes either decoder")
    func garbage() {
        var rng = SplitMix64(seed: 0xBAD)
        for _ in 0..<3000 {
            var bytes = (0..<Int.random(in: 0...64, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            if !bytes.isEmpty && Bool.random(using: &rng) { bytes[0] = Bool.random(using: &rng) ? 0xFB : UInt8(ascii: "{") }
            if bytes.count > 2 && bytes[0] == 0xFB { bytes[1] = 1 }
            for kind in MessageKind.allCases { _ = BinaryRejectionTests.anyDecodeIsSound(kind, bytes) }
        }
    }

    static func expectError<M: WireMessage>(_ type: M.Type, _ bytes: [UInt8], _ kind: WireError.Kind, field: String? = nil) {
        do {
            let decoded = try FleetCodec.decode(type, from: bytes, format: .binary)
            Issue.record("accepted \(decoded)")
        } catch {
            #expect(error.kind == kind, "\(error)")
            if let field { #expect(error.field == field, "\(error)") }
        }
    }

    @Test("header, bitmap, varint, enum and string violations")
    func structural() throws {
        let commit = try FleetCodec.encode(Fixtures.commit, format: .binary)
        BinaryRejectionTests.expectError(TelemetryCommit.self, [0xFA] + commit.dropFirst(), .unknownFormat)
        BinaryRejectionTests.expectError(TelemetryCommit.self, [0xFB, 2] + commit.dropFirst(2), .unsupportedVersion)
        BinaryRejectionTests.expectError(TelemetryCommit.self, [0xFB, 1, 0x7F] + commit.dropFirst(3), .unknownMessageType)
        BinaryRejectionTests.expectError(Telemetry.self, commit, .wrongMessageType)
        #expect(FleetCodec.binaryMessageKind(of: commit) == .telemetryCommit)
        #expect(FleetCodec.binaryMessageKind(of: [0xFB, 1, 0x7F]) == nil)

        // Header + vehicle "a" + seq as a non-minimal varint (0x80 0x00) + timestamp 0.
        let nonMinimal: [UInt8] = [0xFB, 1, 0x02, 1, UInt8(ascii: "a"), 0x80, 0x00, 0x00]
        BinaryRejectionTests.expectError(TelemetryCommit.self, nonMinimal, .malformed, field: "seq")
        let minimal: [UInt8] = [0xFB, 1, 0x02, 1, UInt8(ascii: "a"), 0x00, 0x00]
        #expect(try FleetCodec.decode(TelemetryCommit.self, from: minimal).sequence == 0)
        let overflow: [UInt8] = [0xFB, 1, 0x02, 1, UInt8(ascii: "a")] + Array(repeating: 0xFF, count: 9) + [0x02, 0x00]
        BinaryRejectionTests.expectError(TelemetryCommit.self, overflow, .malformed, field: "seq")
        let maxSeq: [UInt8] = [0xFB, 1, 0x02, 1, UInt8(ascii: "a")] + Array(repeating: 0xFF, count: 9) + [0x01, 0x00]
        #expect(try FleetCodec.decode(TelemetryCommit.self, from: maxSeq).sequence == .max)
        let hugeTime: [UInt8] = [0xFB, 1, 0x02, 1, UInt8(ascii: "a"), 0x00] + Array(repeating: 0xFF, count: 9) + [0x01]
        BinaryRejectionTests.expectError(TelemetryCommit.self, hugeTime, .invalidValue, field: "committed_at_ms")
        let badID: [UInt8] = [0xFB, 1, 0x02, 1, UInt8(ascii: "/"), 0x00, 0x00]
        BinaryRejectionTests.expectError(TelemetryCommit.self, badID, .invalidValue, field: "vehicle_id")
        let longID: [UInt8] = [0xFB, 1, 0x02, 65] + Array(repeating: UInt8(ascii: "a"), count: 65) + [0x00, 0x00]
        BinaryRejectionTests.expectError(TelemetryCommit.self, longID, .invalidValue, field: "vehicle_id")
        let hugeLength: [UInt8] = [0xFB, 1, 0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F]
        BinaryRejectionTests.expectError(TelemetryCommit.self, hugeLength, .invalidValue, field: "vehicle_id")

        // CommandAck: presence, command id, vehicle id, status, at.
        let ack: [UInt8] = [0xFB, 1, 0x06, 0x00, 1, UInt8(ascii: "c"), 1, UInt8(ascii: "v"), 0x02, 0x05]
        #expect(try FleetCodec.decode(CommandAck.self, from: ack).status == .completed)
        var unknownBit = ack
        unknownBit[3] = 0x80
        BinaryRejectionTests.expectError(CommandAck.self, unknownBit, .malformed, field: "presence")
        var badStatus = ack
        badStatus[8] = 9
        BinaryRejectionTests.expectError(CommandAck.self, badStatus, .invalidValue, field: "status")
        let badUTF8: [UInt8] = [0xFB, 1, 0x06, 0x01, 1, UInt8(ascii: "c"), 1, UInt8(ascii: "v"), 0x02, 2, 0xC3, 0x28, 0x05]
        BinaryRejectionTests.expectError(CommandAck.self, badUTF8, .malformed, field: "reason")

        // DesiredState: vehicle, presence, revision, paused must be 0 or 1.
        let desired: [UInt8] = [0xFB, 1, 0x04, 1, UInt8(ascii: "v"), 0x00, 0x03, 0x01, 0x00]
        #expect(try FleetCodec.decode(DesiredState.self, from: desired).paused)
        var badBool = desired
        badBool[7] = 2
        BinaryRejectionTests.expectError(DesiredState.self, badBool, .malformed, field: "paused")
    }

    @Test("out-of-range quantised values are rejected")
    func quantisedRanges() throws {
        var bytes = try FleetCodec.encode(Fixtures.minimalTelemetry, format: .binary)
        // Layout: header(3) presence(1) id(1+9) seq(1) time(6) lat(4) lon(4) speed(4) heading(2) …
        let latitudeOffset = 3 + 1 + 10 + 1 + 6
        withUnsafeBytes(of: Int32(900_000_001).littleEndian) { bytes.replaceSubrange(latitudeOffset..<latitudeOffset + 4, with: $0) }
        BinaryRejectionTests.expectError(Telemetry.self, bytes, .invalidValue, field: "position.lat")
        bytes = try FleetCodec.encode(Fixtures.minimalTelemetry, format: .binary)
        let headingOffset = latitudeOffset + 12
        withUnsafeBytes(of: UInt16(36_000).littleEndian) { bytes.replaceSubrange(headingOffset..<headingOffset + 2, with: $0) }
        BinaryRejectionTests.expectError(Telemetry.self, bytes, .invalidValue, field: "heading_deg")
        bytes = try FleetCodec.encode(Fixtures.minimalTelemetry, format: .binary)
        let speedOffset = latitudeOffset + 8
        withUnsafeBytes(of: Float.nan.bitPattern.littleEndian) { bytes.replaceSubrange(speedOffset..<speedOffset + 4, with: $0) }
        BinaryRejectionTests.expectError(Telemetry.self, bytes, .invalidValue, field: "speed_mps")
    }

    @Test("heading near 360 wraps to 0 instead of becoming invalid")
    func headingWrap() throws {
        var telemetry = Fixtures.minimalTelemetry
        telemetry.headingDegrees = 359.999
        let decoded = try FleetCodec.decode(Telemetry.self, from: try FleetCodec.encode(telemetry, format: .binary))
        #expect(decoded.headingDegrees == 0)
    }
}
