@_spi(Testing) import FleetMQTT
import FleetTestSupport
import Foundation
import Logging
import Testing

/// The broker configuration shipped in `config/mosquitto/` (the one `scripts/stack.sh` runs), booted for real:
/// per-vehicle ACLs, service accounts, no anonymous access, persistence.
@Suite("Repository broker configuration", .serialized, .timeLimit(.minutes(2)))
struct BrokerConfigurationTests {
    let logger = Logger(label: "test.broker-config")
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let accounts = ["v1": "pw-v1", "v2": "pw-v2", "svc-tracking": "pw-tracking", "svc-control": "pw-control"]

    /// Renders `config/mosquitto/mosquitto.conf.template` exactly as the stack script does, with a password file for test users.
    func startRepositoryBroker() throws -> TestBroker {
        try TestBroker { port, directory in
            let passwords = directory.appendingPathComponent("passwd")
            for (index, (user, password)) in Self.accounts.sorted(by: { $0.key < $1.key }).enumerated() {
                let status = try TestBroker.runTool("mosquitto_passwd", (index == 0 ? ["-c"] : []) + ["-b", passwords.path, user, password])
                guard status == 0 else { throw NSError(domain: "mosquitto_passwd", code: Int(status)) }
            }
            let template = try String(contentsOf: Self.repository.appendingPathComponent("config/mosquitto/mosquitto.conf.template"), encoding: .utf8)
            return template
                .replacingOccurrences(of: "@PORT@", with: String(port))
                .replacingOccurrences(of: "@DATA_DIR@", with: directory.path + "/")
                .replacingOccurrences(of: "@PASSWORD_FILE@", with: passwords.path)
                .replacingOccurrences(of: "@ACL_FILE@", with: Self.repository.appendingPathComponent("config/mosquitto/acl").path)
                .replacingOccurrences(of: "@LOG_FILE@", with: directory.appendingPathComponent("mosquitto.log").path)
                .replacingOccurrences(of: "@PID_FILE@", with: directory.appendingPathComponent("mosquitto.pid").path)
        }
    }

    func account(_ broker: TestBroker, _ user: String?) -> MQTTConfiguration {
        MQTTConfiguration(
            port: broker.port, clientID: "\(user ?? "anon")-\(UUID().uuidString.prefix(6))",
            username: user, password: user.flatMap { Self.accounts[$0] }, reconnectDelayMin: .milliseconds(50)
        )
    }

    @Test("A vehicle publishes only under its own id; services get exactly their topics; anonymous clients are refused")
    func accessControl() async throws {
        let broker = try startRepositoryBroker()
        try await MQTTClient.withConnection(configuration: account(broker, "svc-tracking"), logger: logger) { tracking in
            let telemetry = try await tracking.subscribe(to: "$share/tracking/fleet/v1/vehicles/+/telemetry")
            try await MQTTClient.withConnection(configuration: account(broker, "v1"), logger: logger) { vehicle in
                try await vehicle.publish("own", to: "fleet/v1/vehicles/v1/telemetry", qos: .atLeastOnce)
                await #expect(throws: MQTTError.publishRejected(topic: "fleet/v1/vehicles/v2/telemetry", reasonCode: 0x87, message: "Not authorized")) {
                    try await vehicle.publish("spoofed", to: "fleet/v1/vehicles/v2/telemetry", qos: .atLeastOnce)
                }
                await #expect(throws: MQTTError.self, "a vehicle must not command itself") {
                    try await vehicle.publish("pause", to: "fleet/v1/vehicles/v1/commands", qos: .atLeastOnce)
                }
            }
            var iterator = telemetry.makeAsyncIterator()
            let first = await iterator.next()
            #expect(first?.topic == "fleet/v1/vehicles/v1/telemetry")
            #expect(first?.payloadString == "own")
            await #expect(throws: MQTTError.self, "tracking must not send commands") {
                try await tracking.publish("pause", to: "fleet/v1/vehicles/v1/commands", qos: .atLeastOnce)
            }
        }
        // The control service's commands reach the addressed vehicle only.
        try await MQTTClient.withConnection(configuration: account(broker, "v1"), logger: logger) { v1 in
            let commands = try await v1.subscribe(to: "fleet/v1/vehicles/+/commands")
            try await MQTTClient.withConnection(configuration: account(broker, "svc-control"), logger: logger) { control in
                try await control.publish("for v2", to: "fleet/v1/vehicles/v2/commands", qos: .atLeastOnce)
                try await control.publish("for v1", to: "fleet/v1/vehicles/v1/commands", qos: .atLeastOnce)
            }
            var iterator = commands.makeAsyncIterator()
            #expect(await iterator.next()?.payloadString == "for v1")
        }
        let anonymous = try MQTTClient(configuration: account(broker, nil), logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await anonymous.run() }
            await #expect(throws: MQTTError.self) { try await anonymous.waitUntilConnected(timeout: .seconds(1)) }
            anonymous.shutdown()
            try await group.waitForAll()
        }
    }

    @Test("Retained desired state and queued QoS 1 commands survive a broker restart")
    func persistence() async throws {
        let broker = try startRepositoryBroker()
        var vehicle = account(broker, "v1")
        vehicle.clientID = "v1-persistent"
        vehicle.cleanStart = false
        vehicle.sessionExpirySeconds = 3600
        try await MQTTClient.withConnection(configuration: vehicle, logger: logger) { v1 in
            _ = try await v1.subscribe(to: "fleet/v1/vehicles/v1/commands")
        }
        try await MQTTClient.withConnection(configuration: account(broker, "svc-control"), logger: logger) { control in
            try await control.publish("paused", to: "fleet/v1/vehicles/v1/desired", qos: .atLeastOnce, retain: true)
            try await control.publish("pause-1", to: "fleet/v1/vehicles/v1/commands", qos: .atLeastOnce)
        }
        try await broker.restart()
        let client = try MQTTClient(configuration: vehicle, logger: logger)
        let commands = try await client.subscribe(to: "fleet/v1/vehicles/v1/commands")
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await client.run() }
            try await client.waitUntilConnected()
            var iterator = commands.makeAsyncIterator()
            #expect(await iterator.next()?.payloadString == "pause-1")
            let desired = try await client.subscribe(to: "fleet/v1/vehicles/v1/desired")
            var desiredIterator = desired.makeAsyncIterator()
            let retained = await desiredIterator.next()
            #expect(retained?.payloadString == "paused")
            #expect(retained?.retain == true)
            client.shutdown()
            try await group.waitForAll()
        }
    }
}
