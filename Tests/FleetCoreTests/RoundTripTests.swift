import FleetCore
import Testing

@Suite("Codec round trips")
struct RoundTripTests {
    static let samplesPerKind = 1500

    /// Encodes and decodes `message` as its own type; returns a description of the first problem, if any.
    static func roundTripProblem<M: WireMessage>(_ message: M, format: WireFormat, sniff: Bool = false) -> String? {
        do {
            let bytes = try FleetCodec.encode(message, format: format)
            let decoded = try FleetCodec.decode(M.self, from: bytes, format: sniff ? nil : format)
            guard decoded == message else { return "mismatch:\n  in:  \(message)\n  out: \(decoded)" }
            let again = try FleetCodec.encode(decoded, format: format)
            guard again == bytes else { return "re-encoding differs for \(message)" }
            return nil
        } catch {
            return "\(error) for \(message)"
        }
    }

    @Test("random valid messages survive encode → decode exactly", arguments: MessageKind.allCases, WireFormat.allCases)
    func randomRoundTrip(kind: MessageKind, format: WireFormat) {
        var generator = MessageGenerator(
            seed: 0xF1EE7 &+ UInt64(kind.binaryTypeCode) &* 7919 &+ (format == .json ? 0 : 1),
            binaryExact: format == .binary)
        var failures: [String] = []
        for index in 0..<RoundTripTests.samplesPerKind {
            let message = generator.message(kind)
            if let problem = RoundTripTests.roundTripProblem(message, format: format, sniff: index % 2 == 0) {
                failures.append(problem)
            }
        }
        #expect(failures.isEmpty, "\(failures.count) failures; first: \(failures.first ?? "")")
    }

    @Test("fixtures round-trip in both formats", arguments: MessageKind.allCases)
    func fixtures(kind: MessageKind) {
        for format in WireFormat.allCases {
            let problem = RoundTripTests.roundTripProblem(Fixtures.message(kind), format: format)
            #expect(problem == nil, "\(format): \(problem ?? "")")
        }
    }

    @Test("binary quantisation is idempotent and within tolerance for arbitrary values")
    func binaryQuantisation() throws {
        var generator = MessageGenerator(seed: 42, binaryExact: false)
        for _ in 0..<2000 {
            let original = generator.telemetry()
            let once = try FleetCodec.decode(Telemetry.self, from: try FleetCodec.encode(original, format: .binary))
            let twice = try FleetCodec.decode(Telemetry.self, from: try FleetCodec.encode(once, format: .binary))
            #expect(once == twice)
            #expect(abs(once.position.latitude - original.position.latitude) <= 0.5e-7 + 1e-12)
            #expect(abs(once.position.longitude - original.position.longitude) <= 0.5e-7 + 1e-12)
            let headingError = abs(once.headingDegrees - original.headingDegrees)
            #expect(headingError <= 0.005 + 1e-9 || abs(headingError - 360) <= 0.005 + 1e-9)
            #expect(abs(once.speedMetersPerSecond - original.speedMetersPerSecond) <= 120 * 0x1p-24)
            #expect(once.odometerMeters == original.odometerMeters)
            #expect(once.sequence == original.sequence)
            #expect(once.faultCodes == original.faultCodes)
        }
    }

    @Test("JSON doubles use the shortest round-trip form")
    func shortestDoubles() throws {
        var telemetry = Fixtures.minimalTelemetry
        for value in [0.1, 1e-300, .leastNonzeroMagnitude, 119.99999999999999, 0.30000000000000004, 100, 1e-5, 2.5e-7] {
            telemetry.speedMetersPerSecond = value
            let bytes = try FleetCodec.encode(telemetry, format: .json)
            let decoded = try FleetCodec.decode(Telemetry.self, from: bytes)
            #expect(decoded.speedMetersPerSecond.bitPattern == value.bitPattern)
            #expect(String(decoding: bytes, as: UTF8.self).contains("\"speed_mps\":\(value == 100 ? "100.0" : value.description)"))
        }
    }

    @Test("the documented telemetry example decodes to the expected value")
    func documentedExample() throws {
        let json = """
            {"v":1,"vehicle_id":"truck-042","seq":1234,"device_time_ms":1700000000123,\
            "position":{"lat":52.520008,"lon":13.404954,"accuracy_m":4.5},"speed_mps":13.75,"heading_deg":271.5,\
            "odometer_m":123456.7,"battery_pct":87.5,"engine_temp_c":41.0,"status":"moving","fault_codes":["P0420"],\
            "host":{"cpu_pct":12.5,"mem_pct":40.0,"disk_pct":71.25,"net_rx_bps":18000,"net_tx_bps":2500}}
            """
        let decoded = try FleetCodec.decode(Telemetry.self, from: Fixtures.bytes(json))
        #expect(decoded == Fixtures.telemetry)
        #expect(try FleetCodec.encode(Fixtures.telemetry, format: .json) == Fixtures.bytes(json))
    }

    @Test("Foundation Data and array slices decode like arrays")
    func collectionInputs() throws {
        let bytes = try FleetCodec.encode(Fixtures.telemetry, format: .binary)
        let padded = [0x00] + bytes + [0x00]
        let slice = padded[1..<(padded.count - 1)]
        #expect(try FleetCodec.decode(Telemetry.self, from: slice) == Fixtures.telemetry)
        let lazyBytes = bytes.lazy.map { $0 }  // not contiguous: exercises the copying path
        #expect(try FleetCodec.decode(Telemetry.self, from: lazyBytes) == Fixtures.telemetry)
        #expect(try Telemetry.decode(from: bytes) == Fixtures.telemetry)
    }

    @Test("binary is much smaller than JSON for telemetry")
    func binaryIsCompact() throws {
        let json = try FleetCodec.encode(Fixtures.telemetry, format: .json)
        let binary = try FleetCodec.encode(Fixtures.telemetry, format: .binary)
        #expect(binary.count * 3 < json.count)
        #expect(FleetCodec.binaryMessageKind(of: binary) == .telemetry)
        #expect(WireFormat.sniff(binary) == .binary)
        #expect(WireFormat.sniff(json) == .json)
        #expect(WireFormat.sniff(Fixtures.bytes(" \n{}")) == .json)
        #expect(WireFormat.sniff(Fixtures.bytes("[]")) == nil)
        #expect(WireFormat.sniff([UInt8]()) == nil)
    }

    @Test("a report_ready event (no vehicle, the report's attributes) round-trips; every event type has its own binary code")
    func reportReadyEvent() throws {
        let event = FleetEvent(
            id: .random(), type: .reportReady, severity: .info, vehicleID: nil, timeMillis: 1_765_152_000_123,
            attributes: [
                "report_id": "rep_2026w49", "title": "Weekly fleet report", "kind": "weekly", "from_ms": "1764547200000",
                "to_ms": "1765152000000", "html": "/v1/reports/rep_2026w49/files/report.html",
                "files": "report.html,report.json,vehicles.csv", "vehicles": "12", "unavailable": "",
            ])
        for format in WireFormat.allCases {
            let problem = RoundTripTests.roundTripProblem(event, format: format)
            #expect(problem == nil, "\(format): \(problem ?? "")")
        }
        let json = String(decoding: try FleetCodec.encode(event, format: .json), as: UTF8.self)
        #expect(json.contains(#""type":"report_ready""#) && json.contains(#""unavailable":"""#))
        #expect(!json.contains("vehicle_id"))
        #expect(FleetTopics.events(.reportReady) == "fleet/v1/events/report_ready")

        // The same event under every type: the binary encodings differ only in the type code, so they are all distinct,
        // and each decodes back to its own type.
        var encodings: [[UInt8]] = []
        for type in FleetEventType.allCases {
            var copy = event
            copy.type = type
            encodings.append(try FleetCodec.encode(copy, format: .binary))
        }
        #expect(Set(encodings).count == FleetEventType.allCases.count)
        for (type, bytes) in zip(FleetEventType.allCases, encodings) {
            #expect(try FleetCodec.decode(FleetEvent.self, from: bytes, format: .binary).type == type)
        }
    }
}
