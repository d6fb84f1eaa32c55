import FleetCore
import Foundation
import Testing

/// Keeps `docs/schemas/*.schema.json` in exact agreement with the codec and ``FleetLimits``.
@Suite("JSON Schemas agree with the codec")
struct SchemaAgreementTests {
    static let schemaDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("docs/schemas")

    static func schema(_ kind: MessageKind) throws -> [String: Any] {
        let url = schemaDirectory.appendingPathComponent("\(kind.rawValue).schema.json")
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url))
        return try #require(object as? [String: Any], "\(url.path) is not a JSON object")
    }

    static func encodedObject(_ message: any WireMessage) throws -> [String: Any] {
        func encode<M: WireMessage>(_ message: M) throws -> [UInt8] { try FleetCodec.encode(message, format: .json) }
        let bytes = try encode(message)
        return try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    }

    // MARK: Minimal and maximal instances

    /// Every optional member absent.
    static func minimal(_ kind: MessageKind) -> any WireMessage {
        let f = Fixtures.self
        switch kind {
        case .telemetry: return f.minimalTelemetry
        case .telemetryCommit: return f.commit
        case .vehicleState: return VehicleState(vehicleID: f.vehicle, connectivity: .offline, lastSeenMillis: f.now)
        case .desiredState: return DesiredState(vehicleID: f.vehicle, revision: 1, paused: false, updatedAtMillis: f.now)
        case .command: return Command(id: f.commandID, vehicleID: f.vehicle, action: .pause, issuedAtMillis: f.now, expiresAtMillis: f.now + 1)
        case .commandAck: return f.ack
        case .fleetEvent: return FleetEvent(id: f.commandID, type: .online, severity: .info, timeMillis: f.now)
        case .alert:
            return Alert(
                id: f.commandID, ruleID: f.commandID, dedupKey: "k", status: .firing, severity: .info, summary: "s",
                firedAtMillis: f.now, updatedAtMillis: f.now)
        case .positionBatch: return f.positions
        case .commitBatch: return f.commits
        }
    }

    /// Nested objects present, but with their own optional members absent.
    static func nestedMinimal(_ kind: MessageKind) -> any WireMessage {
        switch kind {
        case .telemetry:
            var telemetry = Fixtures.minimalTelemetry
            telemetry.host = Fixtures.telemetry.host
            telemetry.diagnostics = Diagnostics()
            telemetry.route = RouteProgress(routeID: "plan-7", completedStops: 3)
            return telemetry
        case .command:
            return Self.routeCommand
        case .vehicleState:
            return VehicleState(
                vehicleID: Fixtures.vehicle, connectivity: .online, lastSeenMillis: Fixtures.now,
                desired: DesiredState(vehicleID: Fixtures.vehicle, revision: 1, paused: false, updatedAtMillis: Fixtures.now),
                connection: 42)
        default:
            return minimal(kind)
        }
    }

    /// A `follow_route` command (its `route` excludes `speed_limit_mps`, so commands have two maximal shapes).
    static var routeCommand: Command {
        Command(
            id: Fixtures.commandID, vehicleID: Fixtures.vehicle,
            action: .followRoute(
                RouteInstruction(
                    routeID: "plan-7",
                    stops: [RouteStop(id: "s1", latitude: 43.7384, longitude: 7.4246, serviceSeconds: 120), RouteStop(id: "s2", latitude: 43.73, longitude: 7.42)])),
            issuedAtMillis: Fixtures.now, expiresAtMillis: Fixtures.now + 1)
    }

    /// Every optional member present, in as many instances as needed when members exclude each other.
    static func maximalVariants(_ kind: MessageKind) -> [any WireMessage] {
        switch kind {
        case .command:
            var route = routeCommand
            route.reason = "tour 7"
            return [Fixtures.command, route]
        default:
            return [maximal(kind)]
        }
    }

    /// Every optional member present.
    static func maximal(_ kind: MessageKind) -> any WireMessage {
        switch kind {
        case .telemetry:
            var telemetry = Fixtures.telemetry
            telemetry.fuelPercent = 10
            telemetry.rpm = 900
            telemetry.diagnostics = Diagnostics(
                engineCycle: 112, engineSensors: [518.67, 642.5, 1589.7, 1400.6], batteryCycle: 87, batteryCapacityAh: 1.61, batteryRatedAh: 2)
            telemetry.route = RouteProgress(routeID: "plan-7", completedStops: 1, nextStopID: "s2")
            return telemetry
        case .commandAck:
            var ack = Fixtures.ack
            ack.reason = "done"
            return ack
        case .alert:
            var alert = Fixtures.alert
            alert.status = .resolved
            alert.acknowledgedAtMillis = alert.firedAtMillis + 1
            alert.resolvedAtMillis = alert.firedAtMillis + 2
            alert.updatedAtMillis = alert.firedAtMillis + 2
            return alert
        default:
            return Fixtures.message(kind)
        }
    }

    // MARK: Tests

    @Test("required = always emitted, properties = all emitted (top level and nested)", arguments: MessageKind.allCases)
    func memberSets(kind: MessageKind) throws {
        let schema = try Self.schema(kind)
        let required = Set(schema["required"] as? [String] ?? [])
        let properties = try #require(schema["properties"] as? [String: Any])
        let minimal = try Self.encodedObject(Self.minimal(kind))
        let nested = try Self.encodedObject(Self.nestedMinimal(kind))
        let variants = try Self.maximalVariants(kind).map(Self.encodedObject)
        #expect(required == Set(minimal.keys))
        #expect(Set(properties.keys) == variants.reduce(into: Set<String>()) { $0.formUnion($1.keys) })
        for (name, value) in properties {
            guard let sub = value as? [String: Any], let subProperties = sub["properties"] as? [String: Any] else { continue }
            let nestedObject = try #require(nested[name] as? [String: Any], "\(name) missing from the nested-minimal instance")
            let maximalObject = try #require(
                variants.lazy.compactMap { $0[name] as? [String: Any] }.first, "\(name) missing from the maximal instances")
            #expect(Set(sub["required"] as? [String] ?? []) == Set(nestedObject.keys), "\(kind.rawValue).\(name)")
            #expect(Set(subProperties.keys) == Set(maximalObject.keys), "\(kind.rawValue).\(name)")
        }
    }

    /// Every schema annotated property, flattened: `position.lat`, `fault_codes[]`, `attributes{}`, `attributes.*`.
    static func flatten(_ schema: [String: Any], prefix: String = "") -> [(path: String, schema: [String: Any])] {
        var result: [(String, [String: Any])] = []
        for (name, value) in (schema["properties"] as? [String: Any]) ?? [:] {
            guard let sub = value as? [String: Any] else { continue }
            let path = prefix.isEmpty ? name : "\(prefix).\(name)"
            result.append((path, sub))
            result += flatten(sub, prefix: path)
            if let items = sub["items"] as? [String: Any] {
                result.append(("\(path)[]", items))
                result += flatten(items, prefix: "\(path)[]")
            }
            if let names = sub["propertyNames"] as? [String: Any] { result.append(("\(path){}", names)) }
            if let values = sub["additionalProperties"] as? [String: Any] { result.append(("\(path).*", values)) }
        }
        return result
    }

    static let enumerations: [String: [String]] = [
        "status": VehicleStatus.allCases.map(\.rawValue),
        "connectivity": Connectivity.allCases.map(\.rawValue),
        "action": CommandAction.Kind.allCases.map(\.rawValue),
        "type": FleetEventType.allCases.map(\.rawValue),
        "severity": Severity.allCases.map(\.rawValue),
    ]

    @Test("enums match the Swift enums' raw values", arguments: MessageKind.allCases)
    func enums(kind: MessageKind) throws {
        for (path, sub) in Self.flatten(try Self.schema(kind)) {
            guard let values = sub["enum"] as? [String] else { continue }
            let expected: [String]? =
                switch (kind, path) {
                case (.commandAck, "status"): CommandAckStatus.allCases.map(\.rawValue)
                case (.alert, "status"): AlertStatus.allCases.map(\.rawValue)
                case (.positionBatch, "positions[].status"): VehicleStatus.allCases.map(\.rawValue)
                default: Self.enumerations[path]
                }
            #expect(values == expected, "\(kind.rawValue).\(path)")
        }
    }

    /// Expected numeric bounds by member name, straight from ``FleetLimits``.
    static func expectedBounds(_ path: String) -> [String: Double]? {
        func closed(_ range: ClosedRange<Double>) -> [String: Double] { ["minimum": range.lowerBound, "maximum": range.upperBound] }
        let name = path.split(separator: ".").last.map(String.init) ?? path
        if name.hasSuffix("_ms") {
            return ["minimum": Double(FleetLimits.timestampMillis.lowerBound), "maximum": Double(FleetLimits.timestampMillis.upperBound)]
        }
        switch name {
        case "seq", "revision", "connection": return ["minimum": 0]
        case "lat": return closed(FleetLimits.latitude)
        case "lon": return closed(FleetLimits.longitude)
        case "accuracy_m": return closed(FleetLimits.accuracyMeters)
        case "speed_mps": return closed(FleetLimits.speedMetersPerSecond)
        case "heading_deg":
            return ["minimum": FleetLimits.headingDegrees.lowerBound, "exclusiveMaximum": FleetLimits.headingDegrees.upperBound]
        case "odometer_m": return closed(FleetLimits.odometerMeters)
        case "battery_pct", "fuel_pct", "cpu_pct", "mem_pct", "disk_pct": return closed(FleetLimits.percent)
        case "engine_temp_c": return closed(FleetLimits.engineTemperatureCelsius)
        case "rpm": return closed(FleetLimits.rpm)
        case "speed_limit_mps": return closed(FleetLimits.speedLimitMetersPerSecond)
        case "net_rx_bps", "net_tx_bps":
            return ["minimum": Double(FleetLimits.networkBytesPerSecond.lowerBound), "maximum": Double(FleetLimits.networkBytesPerSecond.upperBound)]
        case "engine_cycle", "battery_cycle":
            return ["minimum": Double(FleetLimits.cycleCounter.lowerBound), "maximum": Double(FleetLimits.cycleCounter.upperBound)]
        case "battery_capacity_ah", "battery_rated_ah": return closed(FleetLimits.batteryCapacityAh)
        case "completed_stops": return ["minimum": 0, "maximum": Double(FleetLimits.routeStops.upperBound)]
        case "service_s":
            return ["minimum": Double(FleetLimits.routeServiceSeconds.lowerBound), "maximum": Double(FleetLimits.routeServiceSeconds.upperBound)]
        case _ where name.hasPrefix("engine_sensors"): return closed(FleetLimits.engineSensor)
        default: return nil
        }
    }

    @Test("numeric bounds match FleetLimits", arguments: MessageKind.allCases)
    func numericBounds(kind: MessageKind) throws {
        for (path, sub) in Self.flatten(try Self.schema(kind)) {
            guard let type = sub["type"] as? String, type == "number" || type == "integer" else { continue }
            var bounds: [String: Double] = [:]
            for keyword in ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"] {
                if let value = sub[keyword] as? NSNumber { bounds[keyword] = value.doubleValue }
            }
            #expect(bounds == Self.expectedBounds(path), "\(kind.rawValue).\(path)")
        }
    }

    static func expectedStringRules(_ kind: MessageKind, _ path: String) -> [String: String] {
        let name = path.split(separator: ".").last.map(String.init) ?? path
        if path == "route.stops[].id" { return ["pattern": FleetLimits.routeIdentifierPattern] }
        switch name {
        case "route_id", "next_stop_id": return ["pattern": FleetLimits.routeIdentifierPattern]
        case "vehicle_id", "id", "rule_id", "command_id": return ["pattern": FleetLimits.identifierPattern]
        case "fault_codes[]": return ["pattern": FleetLimits.faultCodePattern]
        case "attributes{}": return ["pattern": FleetLimits.attributeKeyPattern]
        case "*": return ["maxLength": "\(FleetLimits.maxAttributeValueLength)"]
        case "reason": return ["maxLength": "\(FleetLimits.maxReasonLength)"]
        case "summary": return ["minLength": "1", "maxLength": "\(FleetLimits.maxSummaryLength)"]
        case "dedup_key": return ["minLength": "1", "maxLength": "\(FleetLimits.maxDedupKeyLength)"]
        default: return [:]
        }
    }

    @Test("string patterns and lengths match FleetLimits", arguments: MessageKind.allCases)
    func stringRules(kind: MessageKind) throws {
        for (path, sub) in Self.flatten(try Self.schema(kind)) {
            guard sub["enum"] == nil, sub["type"] as? String == "string" || path.hasSuffix("{}") else { continue }
            var rules: [String: String] = [:]
            if let pattern = sub["pattern"] as? String { rules["pattern"] = pattern }
            for keyword in ["minLength", "maxLength"] { if let value = sub[keyword] as? Int { rules[keyword] = "\(value)" } }
            #expect(rules == Self.expectedStringRules(kind, path), "\(kind.rawValue).\(path)")
        }
        let flattened = Self.flatten(try Self.schema(kind))
        if kind == .telemetry {
            let faults = try #require(flattened.first { $0.path == "fault_codes" }?.schema)
            #expect(faults["maxItems"] as? Int == FleetLimits.maxFaultCodes)
        }
        if kind == .command {
            let stops = try #require(flattened.first { $0.path == "route.stops" }?.schema)
            #expect(stops["minItems"] as? Int == FleetLimits.routeStops.lowerBound)
            #expect(stops["maxItems"] as? Int == FleetLimits.routeStops.upperBound)
        }
        if kind == .fleetEvent {
            let attributes = try #require(flattened.first { $0.path == "attributes" }?.schema)
            #expect(attributes["maxProperties"] as? Int == FleetLimits.maxAttributes)
        }
    }

    @Test("examples validate against the schema and decode", arguments: MessageKind.allCases)
    func examples(kind: MessageKind) throws {
        let schema = try Self.schema(kind)
        let examples = try #require(schema["examples"] as? [Any])
        #expect(!examples.isEmpty)
        #expect((schema["properties"] as? [String: Any])?["v"] != nil)
        for example in examples {
            #expect(SchemaValidator.violations(of: example, against: schema) == [])
            let data = try JSONSerialization.data(withJSONObject: example)
            func decode<M: WireMessage>(_ type: M.Type) throws { _ = try FleetCodec.decode(type, from: data) }
            try decode(kind.messageType)
        }
    }

    @Test("random encoder output validates against the schema", arguments: MessageKind.allCases)
    func generatedInstancesValidate(kind: MessageKind) throws {
        let schema = try Self.schema(kind)
        var generator = MessageGenerator(seed: 0x5C4E_3A &+ UInt64(kind.binaryTypeCode), binaryExact: false)
        for candidate in [Self.minimal(kind), Self.nestedMinimal(kind), Self.maximal(kind)] + (0..<200).map({ _ in generator.message(kind) }) {
            let problems = SchemaValidator.violations(of: try Self.encodedObject(candidate), against: schema)
            #expect(problems.isEmpty, "\(problems) for \(candidate)")
        }
    }

    @Test("the schema also rejects what the codec rejects")
    func schemaRejects() throws {
        let schema = try Self.schema(.telemetry)
        var object = try Self.encodedObject(Fixtures.telemetry)
        for (key, value) in [("speed_mps", 121.0 as Any), ("heading_deg", 360.0), ("status", "flying"), ("v", 2)] {
            var broken = object
            broken[key] = value
            #expect(!SchemaValidator.violations(of: broken, against: schema).isEmpty, "\(key)")
        }
        object["seq"] = nil
        #expect(!SchemaValidator.violations(of: object, against: schema).isEmpty)
        let command = try Self.schema(.command)
        var pause = try Self.encodedObject(Self.minimal(.command))
        pause["speed_limit_mps"] = 10
        #expect(!SchemaValidator.violations(of: pause, against: command).isEmpty)
        #expect(throws: WireError.self) { try FleetCodec.decode(Command.self, from: JSONSerialization.data(withJSONObject: pause)) }
        var route = try Self.encodedObject(Self.routeCommand)
        #expect(SchemaValidator.violations(of: route, against: command).isEmpty)
        var routeOnPause = try Self.encodedObject(Self.minimal(.command))
        routeOnPause["route"] = route["route"]
        #expect(!SchemaValidator.violations(of: routeOnPause, against: command).isEmpty)
        #expect(throws: WireError.self) { try FleetCodec.decode(Command.self, from: JSONSerialization.data(withJSONObject: routeOnPause)) }
        route["route"] = ["route_id": "plan-7", "stops": [] as [Any]]
        #expect(!SchemaValidator.violations(of: route, against: command).isEmpty)
        #expect(throws: WireError.self) { try FleetCodec.decode(Command.self, from: JSONSerialization.data(withJSONObject: route)) }
        route["route"] = nil
        #expect(!SchemaValidator.violations(of: route, against: command).isEmpty)
    }
}
