import Configuration
import FleetCore
import FleetMQTT
import FleetService
import FleetTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Synchronization
import Testing

@testable import FleetControl

/// Builds fleet-control against a test broker and a test schema, as `App.swift` does, and talks to it over HTTP.
enum ControlTest {
    static let adminToken = "test-admin-token-0123456789abcdef"

    /// The configuration reader of one service instance: a free HTTP port, the test broker, the test schema,
    /// fast resends and scans; `overrides` win.
    static func reader(broker: TestBroker, schema: String, clientID: String, overrides: [AbsoluteConfigKey: ConfigValue] = [:]) -> ConfigReader {
        let values: [AbsoluteConfigKey: ConfigValue] = [
            "fleet.control.schema": .init(.string(schema), isSecret: false),
            "fleet.control.adminToken": .init(.string(adminToken), isSecret: true),
            "fleet.control.resend.initialMs": 300,
            "fleet.control.scanIntervalMs": 50,
            "fleet.control.trackPositions": 1,
        ]
        return ServiceHarness.reader(ServiceHarness.values(broker: broker, clientID: clientID, username: "svc-control") + values + overrides)
    }

    /// Runs one fleet-control instance for the duration of `body`.
    @discardableResult
    static func withApp<R: Sendable>(
        broker: TestBroker, schema: String, clientID: String = "fleet-control-test-\(UUID().uuidString.prefix(8))",
        overrides: [AbsoluteConfigKey: ConfigValue] = [:], _ body: @escaping @Sendable (API) async throws -> R
    ) async throws -> R {
        let reader = reader(broker: broker, schema: schema, clientID: clientID, overrides: overrides)
        let runtime = try ServiceHarness.runtime(serviceName: "fleet-control", reader: reader, defaultHTTPPort: 8082)
        let app = try await buildApplication(runtime: runtime, configuration: try ControlConfiguration(reader: reader))
        return try await ServiceHarness.test(app) { client in
            try await body(API(client: client))
        }
    }

    /// A broker client for test vehicles and observers.
    static func mqttConfiguration(_ broker: TestBroker, clientID: String, persistent: Bool = false, will: MQTTConfiguration.Will? = nil) -> MQTTConfiguration {
        MQTTConfiguration(
            port: broker.port, clientID: clientID, cleanStart: !persistent, sessionExpirySeconds: persistent ? 3600 : 0, will: will,
            reconnectDelayMin: .milliseconds(50), metricsLabel: "test"
        )
    }

    static func millis(_ date: Date = Date()) -> Int64 { Int64(date.timeIntervalSince1970 * 1000) }
}

/// HTTP calls to the service under test with JSON bodies and a bearer token.
struct API: Sendable {
    let client: any TestClientProtocol

    struct Reply: Sendable {
        var status: HTTPResponse.Status
        var headers: HTTPFields
        var text: String
        /// The body as a JSON object (empty if it is not one).
        var json: [String: any Sendable] {
            (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: any Sendable] ?? [:]
        }
        var errorMessage: String { ((json["error"] as? [String: Any])?["message"] as? String) ?? "" }
    }

    func call(
        _ method: HTTPRequest.Method, _ uri: String, token: String? = ControlTest.adminToken, json body: String? = nil,
        headers extra: HTTPFields = [:]
    ) async throws -> Reply {
        var headers = extra
        if let token { headers[.authorization] = "Bearer \(token)" }
        if body != nil { headers[.contentType] = "application/json" }
        let response = try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
        return Reply(status: response.status, headers: response.headers, text: String(buffer: response.body))
    }

    func waitUntilReady() async throws {
        for _ in 0..<200 {
            if try await call(.get, "/health/ready", token: nil).status == .ok { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("fleet-control never became ready")
    }

    /// Polls until the control plane knows `vehicle` with `connectivity` (learnt from its retained state).
    func waitForVehicle(_ vehicle: String, connectivity: String = "online") async throws {
        for _ in 0..<200 {
            let reply = try await call(.get, "/v1/vehicles/\(vehicle)")
            if reply.status == .ok, reply.json["connectivity"] as? String == connectivity { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("vehicle \(vehicle) never became \(connectivity)")
    }

    /// Polls `GET /v1/commands/{id}` until its status is one of `statuses`; returns the last reply.
    func waitForCommand(_ id: String, statuses: Set<String>) async throws -> Reply {
        var reply = try await call(.get, "/v1/commands/\(id)")
        for _ in 0..<100 where !statuses.contains(reply.json["status"] as? String ?? "") {
            reply = try await call(.get, "/v1/commands/\(id)?wait=2s")
            if statuses.contains(reply.json["status"] as? String ?? "") { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        return reply
    }

    /// Creates a token with `scopes` and returns its secret and id.
    func createToken(name: String, scopes: [String]) async throws -> (secret: String, id: String) {
        let scopeList = scopes.map { "\"\($0)\"" }.joined(separator: ",")
        let reply = try await call(.post, "/v1/tokens", json: #"{"name":"\#(name)","scopes":[\#(scopeList)]}"#)
        #expect(reply.status == .created, "\(reply.text)")
        return (reply.json["token"] as? String ?? "", reply.json["id"] as? String ?? "")
    }
}

/// A vehicle on the broker: publishes its retained state (with an `offline` will), obeys pause/resume and acknowledges
/// every command `accepted` then `completed` (or not at all, when `respond` is false).
final class TestVehicle: Sendable {
    let id: VehicleID
    let client: MQTTClient
    private let state = Mutex<(paused: Bool, commands: [Command], desired: [DesiredState])>((false, [], []))
    let respond: Bool

    var paused: Bool { state.withLock { $0.paused } }
    var receivedCommands: [Command] { state.withLock { $0.commands } }
    var receivedDesired: [DesiredState] { state.withLock { $0.desired } }

    init(_ id: String, broker: TestBroker, respond: Bool = true, persistent: Bool = false) throws {
        self.id = try VehicleID(id)
        self.respond = respond
        let will = MQTTConfiguration.Will(
            topic: VehicleChannel.state.topic(for: self.id),
            payload: try FleetCodec.encode(VehicleState(vehicleID: self.id, connectivity: .offline, lastSeenMillis: ControlTest.millis())),
            qos: .atLeastOnce, retain: true
        )
        client = try MQTTClient(configuration: ControlTest.mqttConfiguration(broker, clientID: "vehicle-\(id)", persistent: persistent, will: will), logger: silentLogger)
    }

    /// Connects, subscribes to commands and desired state, announces itself online and handles messages for `body`.
    func run<R: Sendable>(_ body: @Sendable () async throws -> R) async throws -> R {
        let commands = try await client.subscribe(to: VehicleChannel.commands.topic(for: id), qos: .atLeastOnce)
        let desired = try await client.subscribe(to: VehicleChannel.desired.topic(for: id), qos: .atLeastOnce)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.client.run() }
            try await client.waitUntilConnected()
            group.addTask { await self.follow(desired) }
            group.addTask { await self.obey(commands) }
            try await publishState(.online)
            do {
                let result = try await body()
                client.shutdown()
                try await group.waitForAll()
                return result
            } catch {
                client.shutdown()
                try? await group.waitForAll()
                throw error
            }
        }
    }

    func publishState(_ connectivity: Connectivity) async throws {
        let state = VehicleState(vehicleID: id, connectivity: connectivity, lastSeenMillis: ControlTest.millis(), status: paused ? .paused : .moving)
        try await client.publish(try FleetCodec.encode(state), to: VehicleChannel.state.topic(for: id), qos: .atLeastOnce, retain: true)
    }

    private func follow(_ desired: MQTTSubscription) async {
        for await message in desired {
            guard let value = try? FleetCodec.decode(DesiredState.self, from: message.payload) else { continue }
            state.withLock {
                $0.desired.append(value)
                $0.paused = value.paused
            }
        }
    }

    private func obey(_ commands: MQTTSubscription) async {
        for await message in commands {
            guard let command = try? FleetCodec.decode(Command.self, from: message.payload) else { continue }
            state.withLock { s in
                s.commands.append(command)
                if command.action == .pause { s.paused = true }
                if command.action == .resume { s.paused = false }
            }
            guard respond else { continue }
            for status in [CommandAckStatus.accepted, .completed] {
                let ack = CommandAck(commandID: command.id, vehicleID: id, status: status, atMillis: ControlTest.millis())
                try? await client.publish(try FleetCodec.encode(ack), to: VehicleChannel.commandAcks.topic(for: id), qos: .atLeastOnce)
            }
        }
    }
}

/// Publishes a retained state for a vehicle that is not connected (as its last will would have).
func publishOfflineState(_ vehicle: String, broker: TestBroker) async throws {
    try await MQTTClient.withConnection(configuration: ControlTest.mqttConfiguration(broker, clientID: "state-\(vehicle)"), logger: silentLogger) { client in
        let state = VehicleState(vehicleID: try VehicleID(vehicle), connectivity: .offline, lastSeenMillis: ControlTest.millis())
        try await client.publish(try FleetCodec.encode(state), to: VehicleChannel.state.topic(for: try VehicleID(vehicle)), qos: .atLeastOnce, retain: true)
    }
}
