import FleetCore
import FleetMQTT
import FleetTestSupport
import Foundation
import Testing

/// Vehicle credentials end to end: a broker with the dynamic-security plugin, fleet-control (which provisions) and
/// fleet-tracking (which stores) as processes on their own service accounts, fleetctl as the operator.
@Suite("Vehicle credentials (dynamic security)", .enabled(if: TestPostgres.isConfigured, "FLEET_POSTGRES_HOST is not set"), .timeLimit(.minutes(3)))
struct VehicleProvisioningTests {
    @Test("A provisioned vehicle connects, is stored, is refused on another vehicle's topic (0x87), gets its commands; after revoke it is dropped and cannot reconnect")
    func provisionUseRevoke() async throws {
        let secured = try DynamicSecurityBroker.start(accounts: [
            "svc-control": "svc-control", "svc-provisioner": "provisioner", "svc-tracking": "svc-tracking",
        ])
        let broker = secured.broker
        try await TestPostgres.withSchema(poolSize: 1) { _, controlSchema in
            try await TestPostgres.withSchema(poolSize: 1) { _, trackingSchema in
                let control = try await FleetControlService.start(
                    broker: broker, schema: controlSchema,
                    environment: [
                        "FLEET_MQTT_USERNAME": "svc-control", "FLEET_MQTT_PASSWORD": secured.passwords["svc-control"]!,
                        "FLEET_CONTROL_PROVISIONER_USERNAME": "svc-provisioner", "FLEET_CONTROL_PROVISIONER_PASSWORD": secured.passwords["svc-provisioner"]!,
                    ])
                defer { control.stop() }
                let tracking = try await FleetControlService.start(
                    broker: broker, schema: trackingSchema,
                    environment: [
                        "FLEET_MQTT_USERNAME": "svc-tracking", "FLEET_MQTT_PASSWORD": secured.passwords["svc-tracking"]!,
                        "FLEET_AUTH_INTROSPECTION_URL": "\(control.url)/auth/introspect",
                    ],
                    service: "fleet-tracking")
                defer { tracking.stop() }

                // Provision: the credentials are printed once; the password never reaches fleet-control's log.
                let provisioned = try await control.fleetctl("vehicles", "provision", "robot-9", "--tag", "dock-a", "-o", "json")
                #expect(provisioned.exitCode == FleetctlExit.success, "\(provisioned)")
                let issued = try provisioned.json()
                let mqtt = try #require(issued["mqtt"] as? [String: Any])
                let password = try #require(mqtt["password"] as? String)
                let httpToken = try #require(issued["token"] as? String)
                #expect(mqtt["username"] as? String == "robot-9")
                #expect(!control.log.contains(password) && !control.log.contains(httpToken))
                let again = try await control.fleetctl("vehicles", "provision", "robot-9")
                #expect(again.exitCode == FleetctlExit.refused, "\(again)")
                let table = try await control.fleetctl("vehicles", "get", "robot-9", "-o", "json")
                #expect((try table.json()["tags"] as? [String]) == ["dock-a"], "\(table)")
                // Another vehicle, to write on its topics.
                #expect(try await control.fleetctl("vehicles", "provision", "robot-10").exitCode == FleetctlExit.success)

                let robot = MQTTConfiguration(
                    port: broker.port, clientID: "robot-9-\(UUID().uuidString.prefix(6))", username: "robot-9", password: password,
                    reconnectDelayMin: .milliseconds(50), metricsLabel: "test")
                try await MQTTClient.withConnection(configuration: robot, logger: silentLogger) { vehicle in
                    let commands = try await vehicle.subscribe(to: "fleet/v1/vehicles/robot-9/commands", qos: .atLeastOnce)
                    // Its own telemetry is accepted and stored.
                    let sample = Telemetry(
                        vehicleID: try VehicleID("robot-9"), sequence: 1, deviceTimeMillis: Int64(Date().timeIntervalSince1970 * 1000),
                        position: Position(latitude: 43.7384, longitude: 7.4246), speedMetersPerSecond: 3, headingDegrees: 90, odometerMeters: 10,
                        status: .moving)
                    try await vehicle.publish(try FleetCodec.encode(sample), to: "fleet/v1/vehicles/robot-9/telemetry", qos: .atLeastOnce)
                    try await eventually("tracking stored robot-9's telemetry") {
                        LoopbackHTTP.get(port: tracking.port, path: "/v1/vehicles/robot-9", token: FleetControlService.adminToken)?.status == 200
                    }
                    // Another vehicle's commands: the subscription is refused.
                    await #expect(throws: MQTTError.subscriptionRejected(filter: "fleet/v1/vehicles/robot-10/commands", reasonCode: 0x87, message: "Not authorized")) {
                        _ = try await vehicle.subscribe(to: "fleet/v1/vehicles/robot-10/commands", qos: .atLeastOnce)
                    }
                    // Another vehicle's topic: refused by the broker with 0x87, nothing stored.
                    var forged = sample
                    forged.vehicleID = try VehicleID("robot-10")
                    await #expect {
                        try await vehicle.publish(try FleetCodec.encode(forged), to: "fleet/v1/vehicles/robot-10/telemetry", qos: .atLeastOnce)
                    } throws: { error in
                        if case MQTTError.publishRejected(_, let code, _) = error { return code == 0x87 }
                        return false
                    }
                    // mosquitto 2.0.11 drops the connection after refusing a publish (see BrokerConfigurationTests); the client
                    // reconnects on its own.
                    try await eventually("robot-9 reconnected") { vehicle.isConnected }

                    // Its commands reach it.
                    let state = #"{"v":1,"vehicle_id":"robot-9","connectivity":"online","last_seen_ms":\#(Int64(Date().timeIntervalSince1970 * 1000)),"status":"moving"}"#
                    try await vehicle.publish(Array(state.utf8), to: "fleet/v1/vehicles/robot-9/state", qos: .atLeastOnce, retain: true)
                    let paused = try await control.fleetctl("pause", "--vehicle", "robot-9", "--reason", "dock", "--wait", "0")
                    #expect(paused.exitCode == FleetctlExit.success, "\(paused)")
                    let command: MQTTMessage? = try await withThrowingTaskGroup(of: MQTTMessage?.self) { group in
                        group.addTask {
                            var iterator = commands.makeAsyncIterator()
                            return await iterator.next()
                        }
                        group.addTask {
                            try await Task.sleep(for: .seconds(10))
                            return nil
                        }
                        let first = try await group.next() ?? nil
                        group.cancelAll()
                        return first
                    }
                    #expect(command.map { String(decoding: $0.payload, as: UTF8.self).contains("pause") } == true)

                    // HTTP telemetry with the vehicle's token: its own is stored, another vehicle's is refused whole.
                    #expect(Self.post(port: tracking.port, token: httpToken, body: try Self.json(vehicle: "robot-9", seq: 2)) == 200)
                    #expect(Self.post(port: tracking.port, token: httpToken, body: try Self.json(vehicle: "robot-10", seq: 1)) == 403)
                    #expect(LoopbackHTTP.get(port: tracking.port, path: "/v1/vehicles/robot-10", token: FleetControlService.adminToken)?.status == 404)

                    // Revoke: the open connection is dropped at once, the token stops working.
                    let clock = ContinuousClock()
                    let revokedAt = clock.now
                    let revoked = try await control.fleetctl("vehicles", "revoke", "robot-9")
                    #expect(revoked.exitCode == FleetctlExit.success, "\(revoked)")
                    try await eventually("robot-9 was disconnected", seconds: 10) { !vehicle.isConnected }
                    print("robot-9 disconnected \(clock.now - revokedAt) after fleetctl vehicles revoke started")
                    try await eventually("robot-9's HTTP token is refused", seconds: 10) {
                        Self.post(port: tracking.port, token: httpToken, body: try Self.json(vehicle: "robot-9", seq: 3)) == 401
                    }
                }
                // And it cannot connect again.
                var retry = robot
                retry.clientID += "-again"
                await #expect(throws: (any Error).self) {
                    try await MQTTClient.withConnection(configuration: retry, logger: silentLogger, connectTimeout: .seconds(3)) { _ in }
                }
                #expect(try await control.fleetctl("vehicles", "revoke", "robot-9").exitCode == FleetctlExit.notFound)
                let audit = try await control.fleetctl("audit", "-o", "json")
                #expect(audit.stdout.contains("vehicle.provision") && audit.stdout.contains("vehicle.revoke"), "\(audit)")
            }
        }
        withExtendedLifetime(secured) {}
    }

    @Test("Rotation: the open connection with the old password is dropped, the old password and token stop working, the new ones work")
    func rotate() async throws {
        let secured = try DynamicSecurityBroker.start(accounts: ["svc-control": "svc-control", "svc-provisioner": "provisioner"])
        let broker = secured.broker
        try await TestPostgres.withSchema(poolSize: 1) { _, schema in
            let control = try await FleetControlService.start(
                broker: broker, schema: schema,
                environment: [
                    "FLEET_MQTT_USERNAME": "svc-control", "FLEET_MQTT_PASSWORD": secured.passwords["svc-control"]!,
                    "FLEET_CONTROL_PROVISIONER_USERNAME": "svc-provisioner", "FLEET_CONTROL_PROVISIONER_PASSWORD": secured.passwords["svc-provisioner"]!,
                ])
            defer { control.stop() }
            let first = try await control.fleetctl("vehicles", "provision", "robot-11", "-o", "json").json()
            let oldPassword = try #require((first["mqtt"] as? [String: Any])?["password"] as? String)
            let oldToken = try #require(first["token"] as? String)
            func account(_ password: String, _ suffix: String) -> MQTTConfiguration {
                MQTTConfiguration(
                    port: broker.port, clientID: "robot-11-\(suffix)", username: "robot-11", password: password, reconnectDelayMin: .milliseconds(50),
                    metricsLabel: "test")
            }
            let reply = try await MQTTClient.withConnection(configuration: account(oldPassword, "old"), logger: silentLogger) { vehicle in
                let reply = try await control.fleetctl("vehicles", "rotate", "robot-11", "-o", "json")
                #expect(reply.exitCode == FleetctlExit.success, "\(reply)")
                try await eventually("the old session was dropped", seconds: 10) { !vehicle.isConnected }
                return reply
            }
            let rotated = try reply.json()
            let newPassword = try #require((rotated["mqtt"] as? [String: Any])?["password"] as? String)
            #expect(newPassword != oldPassword)
            await #expect(throws: (any Error).self) {
                try await MQTTClient.withConnection(configuration: account(oldPassword, "old-again"), logger: silentLogger, connectTimeout: .seconds(3)) { _ in }
            }
            try await MQTTClient.withConnection(configuration: account(newPassword, "new"), logger: silentLogger) { vehicle in
                try await vehicle.publish("{}", to: "fleet/v1/vehicles/robot-11/state", qos: .atLeastOnce)
            }
            // The old token is revoked (control checks its own table: at once), the new one is accepted.
            #expect(LoopbackHTTP.get(port: control.port, path: "/auth/introspect", token: oldToken)?.json["active"] as? Bool == false)
            let newToken = try #require(rotated["token"] as? String)
            let fresh = LoopbackHTTP.get(port: control.port, path: "/auth/introspect", token: newToken)?.json
            #expect(fresh?["active"] as? Bool == true && fresh?["fleet_vehicle_id"] as? String == "robot-11", "\(String(describing: fresh))")
            #expect(try await control.fleetctl("vehicles", "rotate", "robot-unknown").exitCode == FleetctlExit.notFound)
        }
        withExtendedLifetime(secured) {}
    }

    @Test("Without a provisioner account the credential endpoints answer 503 and say what to set")
    func notConfigured() async throws {
        try await withFleetControl { control in
            let reply = try await control.fleetctl("vehicles", "provision", "robot-12")
            #expect(reply.exitCode != FleetctlExit.success)
            #expect(reply.stderr.contains("FLEET_CONTROL_PROVISIONER_USERNAME"), "\(reply)")
        }
    }

    static func json(vehicle: String, seq: UInt64) throws -> String {
        let sample = Telemetry(
            vehicleID: try VehicleID(vehicle), sequence: seq, deviceTimeMillis: Int64(Date().timeIntervalSince1970 * 1000),
            position: Position(latitude: 43.7384, longitude: 7.4246), speedMetersPerSecond: 3, headingDegrees: 90, odometerMeters: 20, status: .moving)
        return String(decoding: try FleetCodec.encode(sample), as: UTF8.self)
    }

    /// `POST /v1/telemetry` with `token`; the status.
    static func post(port: Int, token: String, body: String) -> Int {
        LoopbackHTTP.post(port: port, path: "/v1/telemetry", token: token, body: body)?.status ?? 0
    }
}
