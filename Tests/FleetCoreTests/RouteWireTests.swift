import FleetCore
import Foundation
import Testing

/// `follow_route` commands and telemetry's `route` progress block in both encodings, and their refusals.
@Suite("Route commands and route progress")
struct RouteWireTests {
    static let route = RouteInstruction(
        routeID: "plan-7_a",
        stops: [
            RouteStop(id: "s1", latitude: 43.7384, longitude: 7.4246, serviceSeconds: 120),
            RouteStop(id: "depot_2", latitude: -33.8688, longitude: 151.2093, serviceSeconds: 0),
            RouteStop(id: "S-3", latitude: 90, longitude: -180, serviceSeconds: 86_400),
        ])

    static var command: Command {
        Command(
            id: Fixtures.commandID, vehicleID: Fixtures.vehicle, action: .followRoute(route), reason: "tour 7",
            issuedAtMillis: Fixtures.now, expiresAtMillis: Fixtures.now + 60_000)
    }

    static var telemetry: Telemetry {
        var telemetry = Fixtures.telemetry
        telemetry.route = RouteProgress(routeID: "plan-7_a", completedStops: 1, nextStopID: "depot_2")
        return telemetry
    }

    static func text(_ message: some WireMessage) throws -> String {
        String(decoding: try FleetCodec.encode(message, format: .json), as: UTF8.self)
    }

    /// Expects decoding `json` as `M` to fail with `kind` at `field`.
    static func refuses<M: WireMessage>(_ type: M.Type, _ json: String, _ kind: WireError.Kind, field: String) {
        do {
            let decoded = try FleetCodec.decode(type, from: Array(json.utf8))
            Issue.record("accepted \(decoded)")
        } catch {
            #expect(error.kind == kind, "\(error)")
            #expect(error.field == field, "\(error)")
        }
    }

    // MARK: Shapes and round trips

    @Test("a follow_route command has the documented JSON shape and round-trips in both formats")
    func commandShape() throws {
        let json = try Self.text(Self.command)
        #expect(
            json == """
                {"v":1,"id":"0d6f7a52-3c3e-4f43-9a0e-2a1c4bb1e7a1","vehicle_id":"truck-042","action":"follow_route",\
                "route":{"route_id":"plan-7_a","stops":[{"id":"s1","lat":43.7384,"lon":7.4246,"service_s":120},\
                {"id":"depot_2","lat":-33.8688,"lon":151.2093,"service_s":0},{"id":"S-3","lat":90.0,"lon":-180.0,"service_s":86400}]},\
                "reason":"tour 7","issued_at_ms":1700000000123,"expires_at_ms":1700000060123}
                """)
        #expect(try FleetCodec.decode(Command.self, from: Array(json.utf8)) == Self.command)
        for format in WireFormat.allCases {
            #expect(RoundTripTests.roundTripProblem(Self.command, format: format) == nil)
        }
        #expect(Self.command.action.kind == .followRoute)
        #expect(Self.command.action.route == Self.route)
        #expect(CommandAction.pause.route == nil)
    }

    @Test("binary route coordinates are stored to 1e-7 degree and the rest exactly")
    func binaryQuantisation() throws {
        var route = Self.route
        route.stops[0].latitude = 43.738_412_345_6
        let command = Command(
            id: Fixtures.commandID, vehicleID: Fixtures.vehicle, action: .followRoute(route), issuedAtMillis: 1, expiresAtMillis: 2)
        let decoded = try FleetCodec.decode(Command.self, from: try FleetCodec.encode(command, format: .binary))
        let back = try #require(decoded.action.route)
        #expect(abs(back.stops[0].latitude - 43.738_412_345_6) <= 0.5e-7)
        #expect(back.routeID == route.routeID)
        #expect(back.stops.map(\.id) == route.stops.map(\.id))
        #expect(back.stops.map(\.serviceSeconds) == route.stops.map(\.serviceSeconds))
        #expect(back.stops.dropFirst() == route.stops.dropFirst())
    }

    @Test("telemetry carries route progress: documented JSON shape, both formats, next stop omitted when done")
    func progressShape() throws {
        let json = try Self.text(Self.telemetry)
        #expect(json.hasSuffix(#","route":{"route_id":"plan-7_a","completed_stops":1,"next_stop_id":"depot_2"}}"#))
        for format in WireFormat.allCases {
            #expect(RoundTripTests.roundTripProblem(Self.telemetry, format: format) == nil)
        }
        var done = Fixtures.minimalTelemetry
        done.route = RouteProgress(routeID: "plan-7_a", completedStops: 3)
        #expect(try Self.text(done).hasSuffix(#","route":{"route_id":"plan-7_a","completed_stops":3}}"#))
        for format in WireFormat.allCases {
            #expect(RoundTripTests.roundTripProblem(done, format: format) == nil)
        }
        // Presence bit 7 announces the block; it holds its own presence byte (bit 0: next_stop_id).
        let binary = try FleetCodec.encode(done, format: .binary)
        #expect(binary[3] == 0x80)
        let tail: [UInt8] = [0x00, 8] + Array("plan-7_a".utf8) + [3]
        #expect(Array(binary.suffix(tail.count)) == tail)
    }

    @Test("the largest route (200 stops of 64-character ids) fits the default limits; smaller limits refuse it")
    func largestRoute() throws {
        let id = String(repeating: "x", count: 64)
        let stops = (0..<200).map { _ in RouteStop(id: id, latitude: -89.123_456_7, longitude: -179.123_456_7, serviceSeconds: 86_400) }
        let command = Command(
            id: Fixtures.commandID, vehicleID: Fixtures.vehicle, action: .followRoute(RouteInstruction(routeID: id, stops: stops)),
            reason: String(repeating: "r", count: 256), issuedAtMillis: Fixtures.now, expiresAtMillis: Fixtures.now + 1)
        for format in WireFormat.allCases {
            let bytes = try FleetCodec.encode(command, format: format)
            #expect(bytes.count < FleetLimits.defaultMaxMessageBytes)
            #expect(try FleetCodec.decode(Command.self, from: bytes) == command)
            #expect(throws: WireError(.tooLarge, reason: "payload of \(bytes.count) bytes exceeds the limit of 4096")) {
                try FleetCodec.decode(Command.self, from: bytes, limits: WireLimits(maxMessageBytes: 4096))
            }
        }
        // The route nests to depth 4 (message, route, stops, stop).
        let json = try FleetCodec.encode(command, format: .json)
        do throws(WireError) {
            _ = try FleetCodec.decode(Command.self, from: json, limits: WireLimits(maxJSONDepth: 3))
            Issue.record("a route nested deeper than the limit was accepted")
        } catch {
            #expect(error.kind == .tooDeep)
        }
    }

    // MARK: Validation

    @Test("route command rules name the field")
    func commandRules() {
        let cases: [InvalidCase<Command>] = [
            .init("route.stops", "no stops") { $0.action = .followRoute(RouteInstruction(routeID: "r", stops: [])) },
            .init("route.stops", "201 stops") {
                $0.action = .followRoute(
                    RouteInstruction(routeID: "r", stops: Array(repeating: RouteStop(id: "s", latitude: 1, longitude: 1), count: 201)))
            },
            .init("route.route_id", "empty") { $0.action = .followRoute(RouteInstruction(routeID: "", stops: Self.route.stops)) },
            .init("route.route_id", "dot") { $0.action = .followRoute(RouteInstruction(routeID: "plan.7", stops: Self.route.stops)) },
            .init("route.route_id", "65 characters") {
                $0.action = .followRoute(RouteInstruction(routeID: String(repeating: "r", count: 65), stops: Self.route.stops))
            },
            .init("route.stops[1].id", "slash") { Self.mutateStop(&$0, 1) { $0.id = "a/b" } },
            .init("route.stops[0].id", "empty") { Self.mutateStop(&$0, 0) { $0.id = "" } },
            .init("route.stops[2].lat", "91") { Self.mutateStop(&$0, 2) { $0.latitude = 91 } },
            .init("route.stops[0].lat", "NaN") { Self.mutateStop(&$0, 0) { $0.latitude = .nan } },
            .init("route.stops[1].lon", "-180.5") { Self.mutateStop(&$0, 1) { $0.longitude = -180.5 } },
            .init("route.stops[0].lon", "infinite") { Self.mutateStop(&$0, 0) { $0.longitude = .infinity } },
            .init("route.stops[0].service_s", "negative") { Self.mutateStop(&$0, 0) { $0.serviceSeconds = -1 } },
            .init("route.stops[2].service_s", "over a day") { Self.mutateStop(&$0, 2) { $0.serviceSeconds = 86_401 } },
        ]
        for invalid in cases { invalid.check(base: Self.command) }
    }

    static func mutateStop(_ command: inout Command, _ index: Int, _ change: (inout RouteStop) -> Void) {
        var route = Self.route
        change(&route.stops[index])
        command.action = .followRoute(route)
    }

    @Test("route progress rules name the field")
    func progressRules() {
        let cases: [InvalidCase<Telemetry>] = [
            .init("route.completed_stops", "negative") { $0.route?.completedStops = -1 },
            .init("route.completed_stops", "201") { $0.route?.completedStops = 201 },
            .init("route.route_id", "empty") { $0.route?.routeID = "" },
            .init("route.route_id", "space") { $0.route?.routeID = "plan 7" },
            .init("route.next_stop_id", "dot") { $0.route?.nextStopID = "s.1" },
            .init("route.next_stop_id", "65 characters") { $0.route?.nextStopID = String(repeating: "s", count: 65) },
        ]
        for invalid in cases { invalid.check(base: Self.telemetry) }
    }

    // MARK: JSON refusals

    static let commandPrefix = #"{"v":1,"id":"c-1","vehicle_id":"truck-042","action":"#
    static let commandSuffix = #","issued_at_ms":1700000000123,"expires_at_ms":1700000060123}"#
    static func commandJSON(action: String = "follow_route", _ members: String) -> String {
        commandPrefix + "\"\(action)\"" + members + commandSuffix
    }
    static let stop = #"{"id":"s1","lat":43.7,"lon":7.4,"service_s":60}"#

    @Test("malformed route commands are refused with the field named")
    func commandJSONRefusals() throws {
        #expect(try FleetCodec.decode(Command.self, from: Array(Self.commandJSON(#","route":{"route_id":"r","stops":[\#(Self.stop)]}"#).utf8)).action.route?.stops.count == 1)
        Self.refuses(Command.self, Self.commandJSON(""), .missingField, field: "route")
        Self.refuses(Command.self, Self.commandJSON(#","route":[]"#), .typeMismatch, field: "route")
        Self.refuses(Command.self, Self.commandJSON(#","route":{"stops":[\#(Self.stop)]}"#), .missingField, field: "route.route_id")
        Self.refuses(Command.self, Self.commandJSON(#","route":{"route_id":"r"}"#), .missingField, field: "route.stops")
        Self.refuses(Command.self, Self.commandJSON(#","route":{"route_id":"r","stops":{}}"#), .typeMismatch, field: "route.stops")
        Self.refuses(Command.self, Self.commandJSON(#","route":{"route_id":"r","stops":[]}"#), .invalidValue, field: "route.stops")
        let tooMany = Array(repeating: Self.stop, count: 201).joined(separator: ",")
        Self.refuses(Command.self, Self.commandJSON(#","route":{"route_id":"r","stops":[\#(tooMany)]}"#), .invalidValue, field: "route.stops")
        Self.refuses(Command.self, Self.commandJSON(#","route":{"route_id":"r","stops":[\#(Self.stop),1]}"#), .typeMismatch, field: "route.stops[1]")
        Self.refuses(Command.self, Self.commandJSON(#","route":{"route_id":"r","stops":[\#(Self.stop),{"id":"s2","lon":7.4}]}"#), .missingField, field: "route.stops[1].lat")
        Self.refuses(Command.self, Self.commandJSON(#","route":{"route_id":"r","stops":[{"id":"s1","lat":95.5,"lon":7.4,"service_s":1}]}"#), .invalidValue, field: "route.stops[0].lat")
        Self.refuses(Command.self, Self.commandJSON(#","route":{"route_id":"r","stops":[{"id":"s1","lat":"north","lon":7.4,"service_s":1}]}"#), .typeMismatch, field: "route.stops[0].lat")
        Self.refuses(Command.self, Self.commandJSON(#","route":{"route_id":"r","stops":[{"id":"s1","lat":1,"lon":7.4,"service_s":1.5}]}"#), .typeMismatch, field: "route.stops[0].service_s")
        Self.refuses(Command.self, Self.commandJSON(#","route":{"route_id":"r","stops":[{"id":"s1","lat":1,"lon":7.4,"service_s":-1}]}"#), .invalidValue, field: "route.stops[0].service_s")
        Self.refuses(Command.self, Self.commandJSON(#","route":{"route_id":"r","stops":[{"id":"s1","lat":1,"lon":7.4}]}"#), .missingField, field: "route.stops[0].service_s")
        Self.refuses(Command.self, Self.commandJSON(#","route":{"route_id":"r.1","stops":[\#(Self.stop)]}"#), .invalidValue, field: "route.route_id")
        Self.refuses(Command.self, Self.commandJSON(#","route":{"route_id":"r","stops":[{"id":null,"lat":1,"lon":7.4,"service_s":1}]}"#), .typeMismatch, field: "route.stops[0].id")
        // A route belongs to follow_route only, like speed_limit_mps to set_speed_limit.
        Self.refuses(Command.self, Self.commandJSON(action: "pause", #","route":{"route_id":"r","stops":[\#(Self.stop)]}"#), .invalidValue, field: "route")
        Self.refuses(Command.self, Self.commandJSON(#","speed_limit_mps":10,"route":{"route_id":"r","stops":[\#(Self.stop)]}"#), .invalidValue, field: "speed_limit_mps")
    }

    @Test("malformed route progress is refused with the field named")
    func progressJSONRefusals() {
        let base = String(decoding: (try? FleetCodec.encode(Fixtures.minimalTelemetry, format: .json)) ?? [], as: UTF8.self).dropLast()
        func telemetry(_ route: String) -> String { base + #","route":"# + route + "}" }
        #expect((try? FleetCodec.decode(Telemetry.self, from: Array(telemetry(#"{"route_id":"r","completed_stops":0}"#).utf8)))?.route?.completedStops == 0)
        Self.refuses(Telemetry.self, telemetry(#"{"route_id":"r","completed_stops":-1}"#), .invalidValue, field: "route.completed_stops")
        Self.refuses(Telemetry.self, telemetry(#"{"route_id":"r","completed_stops":201}"#), .invalidValue, field: "route.completed_stops")
        Self.refuses(Telemetry.self, telemetry(#"{"route_id":"r","completed_stops":1.5}"#), .typeMismatch, field: "route.completed_stops")
        Self.refuses(Telemetry.self, telemetry(#"{"route_id":"r","completed_stops":99999999999999999999}"#), .invalidValue, field: "route.completed_stops")
        Self.refuses(Telemetry.self, telemetry(#"{"completed_stops":1}"#), .missingField, field: "route.route_id")
        Self.refuses(Telemetry.self, telemetry(#"{"route_id":"r"}"#), .missingField, field: "route.completed_stops")
        Self.refuses(Telemetry.self, telemetry(#"{"route_id":"r#1","completed_stops":1}"#), .invalidValue, field: "route.route_id")
        Self.refuses(Telemetry.self, telemetry(#"{"route_id":"r","completed_stops":1,"next_stop_id":""}"#), .invalidValue, field: "route.next_stop_id")
        Self.refuses(Telemetry.self, telemetry(#"{"route_id":"r","completed_stops":1,"next_stop_id":null}"#), .typeMismatch, field: "route.next_stop_id")
        Self.refuses(Telemetry.self, telemetry(#""plan-7""#), .typeMismatch, field: "route")
    }

    // MARK: Binary refusals

    static func varint(_ value: UInt64) -> [UInt8] {
        var value = value
        var bytes: [UInt8] = []
        repeat {
            let low = UInt8(value & 0x7F)
            value >>= 7
            bytes.append(value == 0 ? low : low | 0x80)
        } while value != 0
        return bytes
    }

    static func string(_ text: String) -> [UInt8] { varint(UInt64(text.utf8.count)) + Array(text.utf8) }

    /// A binary follow_route command (no reason) with the given route body bytes.
    static func binaryCommand(route: [UInt8]) -> [UInt8] {
        [0xFB, 1, 0x05, 0x00] + string("c") + string("v") + [0x05] + route + varint(1) + varint(2)
    }

    static func binaryStop(_ id: String, lat: Int32 = 437_000_000, lon: Int32 = 74_000_000, service: UInt64 = 0) -> [UInt8] {
        var bytes = string(id)
        withUnsafeBytes(of: lat.littleEndian) { bytes += $0 }
        withUnsafeBytes(of: lon.littleEndian) { bytes += $0 }
        return bytes + varint(service)
    }

    @Test("binary route commands: hand-made bytes decode; bad counts, ids, coordinates and service times are refused")
    func binaryCommandRefusals() throws {
        let valid = Self.binaryCommand(route: Self.string("r") + Self.varint(2) + Self.binaryStop("a", service: 30) + Self.binaryStop("b"))
        let decoded = try FleetCodec.decode(Command.self, from: valid)
        #expect(decoded.action.route == RouteInstruction(
            routeID: "r", stops: [RouteStop(id: "a", latitude: 43.7, longitude: 7.4, serviceSeconds: 30), RouteStop(id: "b", latitude: 43.7, longitude: 7.4)]))
        #expect(try FleetCodec.encode(decoded, format: .binary) == valid)

        BinaryRejectionTests.expectError(
            Command.self, Self.binaryCommand(route: Self.string("r") + Self.varint(0)), .invalidValue, field: "route.stops")
        // The count is checked before anything is allocated or read.
        BinaryRejectionTests.expectError(
            Command.self, Self.binaryCommand(route: Self.string("r") + Self.varint(201)), .invalidValue, field: "route.stops")
        BinaryRejectionTests.expectError(
            Command.self, Self.binaryCommand(route: Self.string("r") + Self.varint(UInt64.max)), .invalidValue, field: "route.stops")
        BinaryRejectionTests.expectError(
            Command.self, Self.binaryCommand(route: Self.string("r") + Self.varint(3) + Self.binaryStop("a")), .truncated)
        BinaryRejectionTests.expectError(
            Command.self, Self.binaryCommand(route: Self.string(String(repeating: "r", count: 65)) + Self.varint(1) + Self.binaryStop("a")),
            .invalidValue, field: "route.route_id")
        BinaryRejectionTests.expectError(
            Command.self, Self.binaryCommand(route: Self.string("r.x") + Self.varint(1) + Self.binaryStop("a")),
            .invalidValue, field: "route.route_id")
        BinaryRejectionTests.expectError(
            Command.self, Self.binaryCommand(route: Self.string("r") + Self.varint(1) + Self.binaryStop("a b")),
            .invalidValue, field: "route.stops[0].id")
        BinaryRejectionTests.expectError(
            Command.self, Self.binaryCommand(route: Self.string("r") + Self.varint(2) + Self.binaryStop("a") + Self.binaryStop("b", lat: 900_000_001)),
            .invalidValue, field: "route.stops[1].lat")
        BinaryRejectionTests.expectError(
            Command.self, Self.binaryCommand(route: Self.string("r") + Self.varint(1) + Self.binaryStop("a", lon: Int32.min)),
            .invalidValue, field: "route.stops[0].lon")
        BinaryRejectionTests.expectError(
            Command.self, Self.binaryCommand(route: Self.string("r") + Self.varint(1) + Self.binaryStop("a", service: 86_401)),
            .invalidValue, field: "route.stops[0].service_s")
        BinaryRejectionTests.expectError(
            Command.self, Self.binaryCommand(route: Self.string("r") + Self.varint(1) + Self.binaryStop("a", service: .max)),
            .invalidValue, field: "route.stops[0].service_s")
        BinaryRejectionTests.expectError(
            Command.self, Self.binaryCommand(route: Self.string("r") + Self.varint(1) + [0x02, 0xC3, 0x28]), .malformed, field: "route.stops[0].id")
        // An unknown action code stays unknown.
        var unknown = valid
        unknown[8] = 6
        BinaryRejectionTests.expectError(Command.self, unknown, .invalidValue, field: "action")
    }

    @Test("binary route progress: unknown nested presence bits, counts above 200 and bad ids are refused")
    func binaryProgressRefusals() throws {
        var telemetry = Fixtures.minimalTelemetry
        telemetry.route = RouteProgress(routeID: "r", completedStops: 2, nextStopID: "s")
        let valid = try FleetCodec.encode(telemetry, format: .binary)
        let block: [UInt8] = [0x01] + Self.string("r") + [0x02] + Self.string("s")
        #expect(Array(valid.suffix(block.count)) == block)
        let prefix = Array(valid.dropLast(block.count))
        #expect(try FleetCodec.decode(Telemetry.self, from: prefix + block) == telemetry)
        BinaryRejectionTests.expectError(Telemetry.self, prefix + [0x03] + block.dropFirst(), .malformed, field: "presence")
        BinaryRejectionTests.expectError(
            Telemetry.self, prefix + [0x00] + Self.string("r") + Self.varint(201), .invalidValue, field: "route.completed_stops")
        BinaryRejectionTests.expectError(
            Telemetry.self, prefix + [0x00] + Self.string("r") + Self.varint(.max), .invalidValue, field: "route.completed_stops")
        BinaryRejectionTests.expectError(
            Telemetry.self, prefix + [0x01] + Self.string("r") + [0x02] + Self.string("s.1"), .invalidValue, field: "route.next_stop_id")
        BinaryRejectionTests.expectError(Telemetry.self, prefix + [0x01] + Self.string("r") + [0x02], .truncated)
        BinaryRejectionTests.expectError(Telemetry.self, prefix + [0x00] + Self.string("") + [0x02], .invalidValue, field: "route.route_id")
        // Without bit 7, the block is trailing data.
        var noBit = prefix + block
        noBit[3] &= 0x7F
        BinaryRejectionTests.expectError(Telemetry.self, noBit, .trailingData)
    }

    // MARK: Fuzz seeds

    static let corpus = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz/corpus")

    @Test("the route seeds of the fuzz corpus decode, and JSON and binary seeds agree")
    func fuzzSeeds() throws {
        func bytes(_ name: String) throws -> [UInt8] { Array(try Data(contentsOf: Self.corpus.appendingPathComponent(name))) }
        let command = try FleetCodec.decode(Command.self, from: try bytes("json/command-follow-route.json"))
        #expect(try FleetCodec.decode(Command.self, from: try bytes("binary/command-follow-route.bin")) == command)
        #expect(command.action.route?.stops.map(\.id) == ["s1", "s2"])
        let telemetry = try FleetCodec.decode(Telemetry.self, from: try bytes("json/telemetry-route.json"))
        #expect(try FleetCodec.decode(Telemetry.self, from: try bytes("binary/telemetry-route.bin")) == telemetry)
        #expect(telemetry.route == RouteProgress(routeID: "plan-7", completedStops: 1, nextStopID: "s2"))
    }

    // MARK: Ingest

    @Test("TelemetryValidator refuses bad route progress as invalid_value and accepts good progress")
    func validator() throws {
        let validator = TelemetryValidator(timestamps: TimestampPolicy(maxFutureSkewMillis: 60_000, maxAgeMillis: 86_400_000))
        let good = try FleetCodec.encode(Self.telemetry, format: .binary)
        guard case .accepted(let accepted) = validator.validate(good, topicVehicle: Fixtures.vehicle, nowMillis: Fixtures.now) else {
            Issue.record("valid route progress refused")
            return
        }
        #expect(accepted.route == Self.telemetry.route)
        let json = try Self.text(Self.telemetry)
        for (original, replacement, field) in [
            (#""completed_stops":1"#, #""completed_stops":-4"#, "route.completed_stops"),
            (#""next_stop_id":"depot_2""#, #""next_stop_id":"depot/2""#, "route.next_stop_id"),
            (#""route_id":"plan-7_a""#, #""route_id":"plan 7""#, "route.route_id"),
        ] {
            let payload = Array(json.replacingOccurrences(of: original, with: replacement).utf8)
            guard case .rejected(let reason, let detail, let vehicle) = validator.validate(payload, topicVehicle: Fixtures.vehicle, nowMillis: Fixtures.now)
            else {
                Issue.record("\(field) accepted")
                continue
            }
            #expect(reason == .invalidValue)
            #expect(detail.contains(field), "\(detail)")
            #expect(vehicle == Fixtures.vehicle.rawValue)
        }
    }
}
