import FleetCore
import Testing

@Suite("Documented examples and benchmark")
struct DocumentedExampleTests {
    static func hex(_ text: String) -> [UInt8] {
        let digits = text.split(whereSeparator: \.isWhitespace)
        return digits.compactMap { UInt8($0, radix: 16) }
    }

    static var documentedTelemetry: Telemetry {
        var telemetry = Fixtures.telemetry
        telemetry.fuelPercent = 12
        telemetry.rpm = 1800
        telemetry.faultCodes = ["P0420", "U0100"]
        return telemetry
    }

    @Test("docs/wire-format.md binary telemetry example is byte-exact")
    func binaryTelemetry() throws {
        let expected = Self.hex(
            """
            fb 01 01 3f 09 74 72 75 63 6b 2d 30 34 32 d2 09 fb d0 95 ff bc 31 d0 ea 4d 1f 04 6f fd 07
            00 00 90 40 00 00 5c 41 0e 6a 33 33 33 33 0b 24 fe 40 00 00 af 42 00 00 40 41 00 00 24 42
            00 00 e1 44 01 02 05 50 30 34 32 30 05 55 30 31 30 30 00 00 48 41 00 00 20 42 00 80 8e 42
            d0 8c 01 c4 13
            """)
        #expect(expected.count == 95)
        #expect(try FleetCodec.encode(Self.documentedTelemetry, format: .binary) == expected)
        #expect(try FleetCodec.decode(Telemetry.self, from: expected) == Self.documentedTelemetry)
        #expect(try FleetCodec.encode(Self.documentedTelemetry, format: .json).count == 408)
    }

    @Test("docs/wire-format.md binary commit example is byte-exact")
    func binaryCommit() throws {
        let expected = Self.hex("fb 01 02 09 74 72 75 63 6b 2d 30 34 32 ff ff ff ff ff ff ff ff ff 01 fb d0 95 ff bc 31")
        let commit = TelemetryCommit(vehicleID: Fixtures.vehicle, sequence: .max, committedAtMillis: Fixtures.now)
        #expect(try FleetCodec.encode(commit, format: .binary) == expected)
    }

    @Test("the codec benchmark reports positive throughput", arguments: WireFormat.allCases)
    func benchmark(format: WireFormat) {
        let result = CodecBenchmark.run(format: format, messages: 50, iterations: 2)
        #expect(result.encodePerSecond > 0 && result.encodePerSecond.isFinite)
        #expect(result.decodePerSecond > 0 && result.decodePerSecond.isFinite)
        let samples = CodecBenchmark.sampleTelemetry(count: 200, seed: 1)
        #expect(samples.count == 200)
        for sample in samples { #expect(throws: Never.self) { try sample.validate() } }
    }
}
