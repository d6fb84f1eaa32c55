@_spi(Testing) import FleetMQTT
import FleetTestSupport
import Foundation
import Logging
import Testing

/// The broker configuration shipped in `config/mosquitto/` (the one `scripts/stack.sh` runs), booted for real: the
/// dynamic security plugin with the repository's roles (`config/mosquitto/dynsec/service-roles.json`), vehicles
/// provisioned the way fleet-control provisions them (one role per vehicle), no anonymous access, persistence.
@Suite("Repository broker configuration", .serialized, .timeLimit(.minutes(2)))
struct BrokerConfigurationTests {
    let logger = Logger(label: "test.broker-config")
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// The plugin's admin client, made by `mosquitto_ctrl dynsec init` (scripts/stack.sh calls it `dynsec-admin` too).
    static let admin = (username: "dynsec-admin", password: "pw-dynsec-admin")
    static let services = ["svc-tracking": "pw-tracking", "svc-control": "pw-control"]
    static let vehicles = ["v1": "pw-v1", "v2": "pw-v2"]
    static let accounts = services.merging(vehicles) { service, _ in service }

    /// Renders `config/mosquitto/mosquitto.conf.template` exactly as the stack script does, with a dynsec state file
    /// made by `mosquitto_ctrl dynsec init`; then applies `service-roles.json` and creates the test's clients.
    func startRepositoryBroker() throws -> TestBroker {
        let broker = try TestBroker { port, directory in
            let state = directory.appendingPathComponent("dynamic-security.json")
            // The closure runs again (same directory) when the port was taken: init refuses an existing file.
            if !FileManager.default.fileExists(atPath: state.path) {
                try Self.run("mosquitto_ctrl", ["dynsec", "init", state.path, Self.admin.username, Self.admin.password])
            }
            let template = try String(contentsOf: Self.repository.appendingPathComponent("config/mosquitto/mosquitto.conf.template"), encoding: .utf8)
            return template
                .replacingOccurrences(of: "@PORT@", with: String(port))
                .replacingOccurrences(of: "@DATA_DIR@", with: directory.path + "/")
                .replacingOccurrences(of: "@DYNSEC_FILE@", with: state.path)
                .replacingOccurrences(of: "@LOG_FILE@", with: directory.appendingPathComponent("mosquitto.log").path)
                .replacingOccurrences(of: "@PID_FILE@", with: directory.appendingPathComponent("mosquitto.pid").path)
        }
        try Self.dynsec(broker, Self.repository.appendingPathComponent("config/mosquitto/dynsec/service-roles.json"))
        var commands: [[String: Any]] = Self.services.sorted { $0.key < $1.key }.map { service -> [String: Any] in
            ["command": "createClient", "username": service.key, "password": service.value, "roles": [["rolename": service.key]]]
        }
        for (id, password) in Self.vehicles.sorted(by: { $0.key < $1.key }) {
            commands += Self.provisioningCommands(vehicle: id, password: password)
        }
        try Self.dynsec(broker, commands: commands)
        return broker
    }

    /// What fleet-control sends to provision a vehicle: a role with the vehicle's literal topics (the plugin does not
    /// substitute `%u`) and a client with that role (config/mosquitto/dynsec/README.md).
    static func provisioningCommands(vehicle id: String, password: String) -> [[String: Any]] {
        let base = "fleet/v1/vehicles/\(id)"
        let acls: [[String: Any]] = [
            ("publishClientSend", "telemetry"), ("publishClientSend", "state"), ("publishClientSend", "commands/ack"),
            ("subscribeLiteral", "commands"), ("subscribeLiteral", "desired"), ("subscribeLiteral", "telemetry/committed"),
        ].map { acl -> [String: Any] in ["acltype": acl.0, "topic": "\(base)/\(acl.1)", "allow": true] }
        return [
            ["command": "createRole", "rolename": "vehicle-\(id)", "acls": acls],
            ["command": "createClient", "username": id, "password": password, "roles": [["rolename": "vehicle-\(id)"]]],
        ]
    }

    /// Sends a dynsec command batch as the admin. `mosquitto_pub -q 1` returns after the PUBACK, which the broker sends
    /// once the plugin has executed the commands (the per-command results go to `$CONTROL/dynamic-security/v1/response`;
    /// the tests below see a failed command as a refused login).
    static func dynsec(_ broker: TestBroker, commands: [[String: Any]]) throws {
        let file = broker.directory.appendingPathComponent("dynsec-\(UUID().uuidString).json")
        try JSONSerialization.data(withJSONObject: ["commands": commands]).write(to: file)
        try dynsec(broker, file)
    }

    static func dynsec(_ broker: TestBroker, _ batch: URL) throws {
        try run("mosquitto_pub", [
            "-h", "127.0.0.1", "-p", String(broker.port), "-u", admin.username, "-P", admin.password,
            "-q", "1", "-t", "$CONTROL/dynamic-security/v1", "-f", batch.path,
        ])
    }

    static func run(_ tool: String, _ arguments: [String]) throws {
        let status = try TestBroker.runTool(tool, arguments)
        guard status == 0 else { throw NSError(domain: tool, code: Int(status)) }
    }

    func account(_ broker: TestBroker, _ user: String?) -> MQTTConfiguration {
        MQTTConfiguration(
            port: broker.port, clientID: "\(user ?? "anon")-\(UUID().uuidString.prefix(6))",
            username: user, password: user.flatMap { Self.accounts[$0] }, reconnectDelayMin: .milliseconds(50)
        )
    }

    static func notAuthorized(filter: String) -> MQTTError {
        .subscriptionRejected(filter: filter, reasonCode: 0x87, message: "Not authorized")
    }

    @Test("A vehicle publishes only under its own id; services get exactly their topics; anonymous clients are refused")
    func accessControl() async throws {
        let broker = try startRepositoryBroker()
        try await MQTTClient.withConnection(configuration: account(broker, "svc-tracking"), logger: logger) { tracking in
            let telemetry = try await tracking.subscribe(to: "$share/tracking/fleet/v1/vehicles/+/telemetry")
            await #expect(throws: Self.notAuthorized(filter: "fleet/v1/vehicles/+/commands"), "tracking must not read commands") {
                _ = try await tracking.subscribe(to: "fleet/v1/vehicles/+/commands")
            }
            try await MQTTClient.withConnection(configuration: account(broker, "v1"), logger: logger) { vehicle in
                try await vehicle.publish("own", to: "fleet/v1/vehicles/v1/telemetry", qos: .atLeastOnce)
                // mosquitto 2.0.11 with `max_queued_messages 0` also drops the connection after refusing a publish;
                // the client reconnects.
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
        // The control service's commands reach the addressed vehicle only; a vehicle may subscribe to its own topics only.
        try await MQTTClient.withConnection(configuration: account(broker, "v1"), logger: logger) { v1 in
            for filter in ["fleet/v1/vehicles/v2/commands", "fleet/v1/vehicles/+/commands", "fleet/v1/vehicles/v1/#"] {
                await #expect(throws: Self.notAuthorized(filter: filter)) { _ = try await v1.subscribe(to: filter) }
            }
            let commands = try await v1.subscribe(to: "fleet/v1/vehicles/v1/commands")
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

    @Test("Deleting a vehicle's client drops its connection at once and refuses it from then on")
    func deprovisioning() async throws {
        let broker = try startRepositoryBroker()
        try await MQTTClient.withConnection(configuration: account(broker, "v2"), logger: logger) { v2 in
            try Self.dynsec(broker, commands: [
                ["command": "deleteClient", "username": "v2"], ["command": "deleteRole", "rolename": "vehicle-v2"],
            ])
            var dropped = false
            for _ in 0..<40 where !dropped {
                dropped = !v2.isConnected
                if !dropped { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(dropped, "the broker must disconnect a deleted client")
        }
        let again = try MQTTClient(configuration: account(broker, "v2"), logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await again.run() }
            await #expect(throws: MQTTError.self) { try await again.waitUntilConnected(timeout: .seconds(1)) }
            again.shutdown()
            try await group.waitForAll()
        }
        try await MQTTClient.withConnection(configuration: account(broker, "v1"), logger: logger) { v1 in
            try await v1.publish("still here", to: "fleet/v1/vehicles/v1/telemetry", qos: .atLeastOnce)
        }
    }

    @Test("Retained desired state, queued QoS 1 commands and the provisioned clients survive a broker restart")
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
