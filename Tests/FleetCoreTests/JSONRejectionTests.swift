import FleetCore
import Foundation
import Testing

@Suite("JSON rejection")
struct JSONRejectionTests {
    static let valid = String(decoding: (try? FleetCodec.encode(Fixtures.telemetry, format: .json)) ?? [], as: UTF8.self)

    /// `valid` with `original` replaced once by `replacement`.
    static func patched(_ original: String, _ replacement: String) -> String {
        guard let range = valid.range(of: original) else { return "patch target \(original) missing" }
        return valid.replacingCharacters(in: range, with: replacement)
    }

    static let cases: [BadJSON] = [
        // Syntax
        BadJSON("", .unknownFormat),
        BadJSON("   ", .unknownFormat),
        BadJSON("{", .truncated),
        BadJSON("{\"v\":1,}", .malformed),
        BadJSON("{\"v\":1 \"x\":2}", .malformed),
        BadJSON("{\"v\":1}}", .trailingData),
        BadJSON("{\"v\":1} x", .trailingData),
        BadJSON("{\"v\":01}", .malformed),
        BadJSON("{\"v\":1.}", .malformed),
        BadJSON("{\"v\":.5}", .malformed),
        BadJSON("{\"v\":-}", .malformed),
        BadJSON("{\"v\":1e}", .malformed),
        BadJSON("{\"v\":+1}", .malformed),
        BadJSON("{\"v\":NaN}", .malformed),
        BadJSON("{\"v\":Infinity}", .malformed),
        BadJSON("{\"v\":tru}", .malformed),
        BadJSON("{\"v\":nul", .truncated),
        BadJSON("{'v':1}", .malformed),
        BadJSON("{v:1}", .malformed),
        BadJSON("{\"v\":1,\"v\":1}", .malformed, field: "v"),
        BadJSON("{\"v\":1,\"a\":\"\\x\"}", .malformed),
        BadJSON("{\"v\":1,\"a\":\"\\u12G4\"}", .malformed),
        BadJSON("{\"v\":1,\"a\":\"\\ud800\"}", .malformed),
        BadJSON("{\"v\":1,\"a\":\"\\udc00\\ud800\"}", .malformed),
        BadJSON("{\"v\":1,\"a\":\"tab\there\"}", .malformed),
        BadJSON("{\"v\":1,\"a\":\"unterminated}", .truncated),
        BadJSON("{\"v\":1,\"a\":[1,2,]}", .malformed),
        BadJSON("{\"v\":1,\"a\":[[[[[[[[[[1]]]]]]]]]]}", .tooDeep),
        BadJSON("{\"v\":1,\"a\":1" + String(repeating: "0", count: 300) + "}", .malformed),
        // Version
        BadJSON("{}", .missingField, field: "v"),
        BadJSON("{\"v\":2}", .unsupportedVersion, field: "v"),
        BadJSON("{\"v\":\"1\"}", .typeMismatch, field: "v"),
        BadJSON("[1]", .unknownFormat),
        BadJSON(patched("\"v\":1", "\"v\":0"), .unsupportedVersion, field: "v"),
        // Fields
        BadJSON(patched("\"seq\":1234", "\"seq\":-1"), .invalidValue, field: "seq"),
        BadJSON(patched("\"seq\":1234", "\"seq\":12.5"), .typeMismatch, field: "seq"),
        BadJSON(patched("\"seq\":1234", "\"seq\":1e3"), .typeMismatch, field: "seq"),
        BadJSON(patched("\"seq\":1234", "\"seq\":18446744073709551616"), .invalidValue, field: "seq"),
        BadJSON(patched("\"seq\":1234", "\"seq\":\"1234\""), .typeMismatch, field: "seq"),
        BadJSON(patched("\"seq\":1234,", ""), .missingField, field: "seq"),
        BadJSON(patched("\"lat\":52.520008", "\"lat\":91"), .invalidValue, field: "position.lat"),
        BadJSON(patched("\"lat\":52.520008", "\"lat\":1e400"), .invalidValue, field: "position.lat"),
        BadJSON(patched("\"lat\":52.520008", "\"lat\":null"), .typeMismatch, field: "position.lat"),
        BadJSON(patched("\"lat\":52.520008,", ""), .missingField, field: "position.lat"),
        BadJSON(patched("\"accuracy_m\":4.5", "\"accuracy_m\":null"), .typeMismatch, field: "position.accuracy_m"),
        BadJSON(patched("\"speed_mps\":13.75", "\"speed_mps\":-1"), .invalidValue, field: "speed_mps"),
        BadJSON(patched("\"speed_mps\":13.75", "\"speed_mps\":true"), .typeMismatch, field: "speed_mps"),
        BadJSON(patched("\"heading_deg\":271.5", "\"heading_deg\":360"), .invalidValue, field: "heading_deg"),
        BadJSON(patched("\"battery_pct\":87.5", "\"battery_pct\":100.01"), .invalidValue, field: "battery_pct"),
        BadJSON(patched("\"status\":\"moving\"", "\"status\":\"flying\""), .invalidValue, field: "status"),
        BadJSON(patched("\"status\":\"moving\"", "\"status\":\"Moving\""), .invalidValue, field: "status"),
        BadJSON(patched("\"vehicle_id\":\"truck-042\"", "\"vehicle_id\":\"truck/042\""), .invalidValue, field: "vehicle_id"),
        BadJSON(patched("\"vehicle_id\":\"truck-042\"", "\"vehicle_id\":\"\""), .invalidValue, field: "vehicle_id"),
        BadJSON(patched("[\"P0420\"]", "[\"P0420\",7]"), .typeMismatch, field: "fault_codes[1]"),
        BadJSON(patched("[\"P0420\"]", "\"P0420\""), .typeMismatch, field: "fault_codes"),
        BadJSON(patched("[\"P0420\"]", "[\"P 0420\"]"), .invalidValue, field: "fault_codes[0]"),
        BadJSON(patched("\"cpu_pct\":12.5", "\"cpu_pct\":-0.5"), .invalidValue, field: "host.cpu_pct"),
        BadJSON(patched("\"net_rx_bps\":18000", "\"net_rx_bps\":1.5"), .typeMismatch, field: "host.net_rx_bps"),
        BadJSON(patched("\"device_time_ms\":1700000000123", "\"device_time_ms\":-1"), .invalidValue, field: "device_time_ms"),
        BadJSON(patched("\"position\":{", "\"position\":[{"), .malformed),
        BadJSON(patched("\"position\":{", "\"extra\":1,\"position\":{\"lat\":0,\"lon\":0},\"position\":{"), .malformed, field: "position"),
    ]

    @Test("malformed or invalid telemetry JSON is rejected with the right kind and field", arguments: cases)
    func rejects(_ bad: BadJSON) {
        do {
            let decoded = try FleetCodec.decode(Telemetry.self, from: Fixtures.bytes(bad.json))
            Issue.record("accepted: \(decoded)")
        } catch {
            #expect(error.kind == bad.kind, "\(error)")
            if let field = bad.field { #expect(error.field == field, "\(error)") }
        }
    }

    @Test("invalid UTF-8 is rejected", arguments: [
        [0xC0, 0xAF], [0xE0, 0x80, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xFF], [0x80], [0xC3],
        [0xF0, 0x9F, 0x98],
    ] as [[UInt8]])
    func invalidUTF8(_ sequence: [UInt8]) {
        let payload = Fixtures.bytes("{\"v\":1,\"x\":\"a") + sequence + Fixtures.bytes("\"}")
        #expect(throws: WireError.self) { try FleetCodec.decode(TelemetryCommit.self, from: payload) }
        do {
            _ = try FleetCodec.decode(TelemetryCommit.self, from: payload)
        } catch {
            #expect(error.kind == .malformed)
        }
    }

    @Test("unknown fields are ignored but must still be well-formed")
    func unknownFields() throws {
        let extended = JSONRejectionTests.patched("\"seq\":1234", "\"seq\":1234,\"future\":{\"a\":[1,2,{\"b\":null}],\"c\":\"\\u00e9\\ud83d\\ude00\"}")
        #expect(try FleetCodec.decode(Telemetry.self, from: Fixtures.bytes(extended)) == Fixtures.telemetry)
        let badUnknown = JSONRejectionTests.patched("\"seq\":1234", "\"seq\":1234,\"future\":[1,]")
        #expect(throws: WireError.self) { try FleetCodec.decode(Telemetry.self, from: Fixtures.bytes(badUnknown)) }
    }

    @Test("escapes and whitespace are decoded")
    func escapes() throws {
        let json = " {\n\t\"v\" : 1 , \"vehicle_id\" : \"truck\\u002d042\", \"seq\":1234, \"committed_at_ms\":1700000000143 }\r\n"
        #expect(try FleetCodec.decode(TelemetryCommit.self, from: Fixtures.bytes(json)) == Fixtures.commit)
        var ack = Fixtures.ack
        ack.reason = "quote \" backslash \\ slash / controls \u{8}\u{C}\n\r\t\u{1} emoji 😀"
        let encoded = try FleetCodec.encode(ack, format: .json)
        #expect(try FleetCodec.decode(CommandAck.self, from: encoded) == ack)
        let escapedKey = "{\"\\u0076\":1,\"command_id\":\"\(Fixtures.commandID)\",\"vehicle_id\":\"truck-042\",\"status\":\"completed\",\"at_ms\":1700000001623,\"reason\":\"\\ud83d\\ude00\\/\"}"
        #expect(try FleetCodec.decode(CommandAck.self, from: Fixtures.bytes(escapedKey)).reason == "😀/")
    }

    @Test("limits: size and depth are configurable")
    func limits() throws {
        let bytes = try FleetCodec.encode(Fixtures.telemetry, format: .json)
        let tight = WireLimits(maxMessageBytes: bytes.count - 1)
        #expect(throws: WireError(.tooLarge, reason: "payload of \(bytes.count) bytes exceeds the limit of \(bytes.count - 1)")) {
            try FleetCodec.decode(Telemetry.self, from: bytes, limits: tight)
        }
        #expect(throws: WireError.self) {
            try FleetCodec.decode(Telemetry.self, from: bytes, limits: WireLimits(maxJSONDepth: 1))
        }
        #expect(try FleetCodec.decode(Telemetry.self, from: bytes, limits: WireLimits(maxJSONDepth: 2)) == Fixtures.telemetry)
        let huge = Fixtures.bytes("{\"v\":1,\"pad\":\"" + String(repeating: "x", count: 70_000) + "\"}")
        do {
            _ = try FleetCodec.decode(TelemetryCommit.self, from: huge)
            Issue.record("accepted a 70 KB payload")
        } catch {
            #expect(error.kind == .tooLarge)
        }
    }

    @Test("command action parameters are strict")
    func commandActions() throws {
        let base = "{\"v\":1,\"id\":\"c1\",\"vehicle_id\":\"t1\",\"issued_at_ms\":1,\"expires_at_ms\":2,"
        let missing = Fixtures.bytes(base + "\"action\":\"set_speed_limit\"}")
        let extra = Fixtures.bytes(base + "\"action\":\"pause\",\"speed_limit_mps\":10}")
        let unknown = Fixtures.bytes(base + "\"action\":\"self_destruct\"}")
        let fine = Fixtures.bytes(base + "\"action\":\"set_speed_limit\",\"speed_limit_mps\":10}")
        for (payload, field) in [(missing, "speed_limit_mps"), (extra, "speed_limit_mps"), (unknown, "action")] {
            do {
                _ = try FleetCodec.decode(Command.self, from: payload)
                Issue.record("accepted \(String(decoding: payload, as: UTF8.self))")
            } catch {
                #expect(error.field == field)
            }
        }
        #expect(try FleetCodec.decode(Command.self, from: fine).action == .setSpeedLimit(metersPerSecond: 10))
    }

    @Test("decoding as the wrong message type names the missing field")
    func wrongType() throws {
        let bytes = try FleetCodec.encode(Fixtures.commit, format: .json)
        do {
            _ = try FleetCodec.decode(Telemetry.self, from: bytes)
            Issue.record("decoded a commit as telemetry")
        } catch {
            #expect(error.kind == .missingField)
            #expect(error.field == "device_time_ms")
        }
    }
}
