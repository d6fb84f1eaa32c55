import FleetCore
import FleetMQTT
import FleetTestSupport
import Configuration
import Foundation
import HTTPTypes
import Testing

@testable import FleetControl

/// Commands end to end: HTTP → PostgreSQL → MQTT → a vehicle on a real broker → acknowledgement → lifecycle.
@Suite("fleet-control command lifecycle", .enabled(if: TestPostgres.isConfigured, "FLEET_POSTGRES_HOST is not set"), .timeLimit(.minutes(2)))
struct CommandLifecycleTests {
    @Test("Pause: the vehicle stops and acknowledges; resume; retained desired state follows; history lists both")
    func pauseAndResume() async throws {
        let broker = try TestBroker()
        try await TestPostgres.withSchema { _, schema in
            try await ControlTest.withApp(broker: broker, schema: schema) { api in
                let vehicle = try TestVehicle("robot-1", broker: broker)
                try await vehicle.run {
                    try await api.waitForVehicle("robot-1")
                    let created = try await api.call(.post, "/v1/vehicles/robot-1/commands", json: #"{"action":"pause","reason":"inspection","ttl_seconds":30}"#)
                    #expect(created.status == .accepted, "\(created.text)")
                    #expect(created.json["status"] as? String == "pending")
                    let id = try #require(created.json["id"] as? String)
                    #expect(created.headers[.location] == "/v1/commands/\(id)")

                    let answered = try await api.call(.get, "/v1/commands/\(id)?wait=5s")
                    #expect(["acknowledged", "completed"].contains(answered.json["status"] as? String), "\(answered.text)")
                    let done = try await api.waitForCommand(id, statuses: ["completed"])
                    #expect(done.json["status"] as? String == "completed")
                    let steps = (done.json["transitions"] as? [[String: Any]] ?? []).compactMap { $0["status"] as? String }
                    #expect(steps.first == "pending")
                    #expect(steps.contains("acknowledged"))
                    #expect(steps.last == "completed")
                    #expect(vehicle.paused)
                    #expect(vehicle.receivedCommands.map(\.id.rawValue).contains(id))

                    let resumed = try await api.call(.post, "/v1/vehicles/robot-1/commands", json: #"{"action":"resume"}"#)
                    let resumeID = try #require(resumed.json["id"] as? String)
                    #expect(try await api.waitForCommand(resumeID, statuses: ["completed"]).json["status"] as? String == "completed")
                    #expect(!vehicle.paused)

                    let history = try await api.call(.get, "/v1/vehicles/robot-1/commands")
                    let ids = (history.json["commands"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
                    #expect(ids == [resumeID, id])
                }
                // The desired state ends unpaused at revision 2, retained for anyone who connects later.
                let retained = try await retainedDesired("robot-1", broker: broker)
                #expect(retained?.paused == false)
                #expect(retained?.revision == 2)
                let vehicleReply = try await api.call(.get, "/v1/vehicles/robot-1")
                let desired = vehicleReply.json["desired"] as? [String: Any]
                #expect(desired?["revision"] as? Int == 2)
                #expect(desired?["published"] as? Bool == true)
            }
        }
    }

    @Test("An Idempotency-Key replays the first response and sends once; reusing it for another request is refused")
    func idempotency() async throws {
        let broker = try TestBroker()
        try await TestPostgres.withSchema { _, schema in
            try await ControlTest.withApp(broker: broker, schema: schema) { api in
                let vehicle = try TestVehicle("robot-2", broker: broker)
                try await vehicle.run {
                    try await api.waitForVehicle("robot-2")
                    let body = #"{"action":"return_to_base","reason":"shift end"}"#
                    let first = try await api.call(.post, "/v1/vehicles/robot-2/commands", json: body, headers: [.idempotencyKey: "retry-42"])
                    let second = try await api.call(.post, "/v1/vehicles/robot-2/commands", json: body, headers: [.idempotencyKey: "retry-42"])
                    #expect(first.status == .accepted)
                    #expect(second.status == .accepted)
                    #expect(second.headers[.idempotentReplayed] == "true")
                    let id = try #require(first.json["id"] as? String)
                    #expect(second.json["id"] as? String == id)
                    _ = try await api.waitForCommand(id, statuses: ["completed"])

                    let other = try await api.call(.post, "/v1/vehicles/robot-2/commands", json: #"{"action":"pause"}"#, headers: [.idempotencyKey: "retry-42"])
                    #expect(other.status == .unprocessableContent)
                    #expect(other.errorMessage.contains("Idempotency-Key"))

                    let history = try await api.call(.get, "/v1/vehicles/robot-2/commands")
                    #expect((history.json["commands"] as? [Any])?.count == 1)
                    #expect(Set(vehicle.receivedCommands.map(\.id.rawValue)) == [id])
                }
            }
        }
    }

    @Test("A command to an offline vehicle expires after its TTL; with the refuse policy it is refused with 409")
    func ttlExpiryAndOfflinePolicy() async throws {
        let broker = try TestBroker()
        try await TestPostgres.withSchema { _, schema in
            try await publishOfflineState("parked-1", broker: broker)
            try await ControlTest.withApp(broker: broker, schema: schema) { api in
                try await api.waitForVehicle("parked-1", connectivity: "offline")
                let created = try await api.call(.post, "/v1/vehicles/parked-1/commands", json: #"{"action":"pause","ttl_seconds":1}"#)
                #expect(created.status == .accepted)
                let id = try #require(created.json["id"] as? String)
                let expired = try await api.waitForCommand(id, statuses: ["expired"])
                #expect(expired.json["status"] as? String == "expired")
                #expect((expired.json["status_reason"] as? String)?.contains("time-to-live") == true)
                #expect((expired.json["attempts"] as? Int ?? 0) >= 1)
            }
            try await ControlTest.withApp(broker: broker, schema: schema, overrides: ["fleet.control.offlinePolicy": "refuse"]) { api in
                let refused = try await api.call(.post, "/v1/vehicles/parked-1/commands", json: #"{"action":"pause"}"#)
                #expect(refused.status == .conflict)
                #expect(refused.errorMessage.contains("offline"))
            }
        }
    }

    @Test("A vehicle that connects after a pause finds the retained desired state and then acknowledges the queued command")
    func desiredStateAfterReconnect() async throws {
        let broker = try TestBroker()
        try await TestPostgres.withSchema { _, schema in
            try await publishOfflineState("late-1", broker: broker)
            try await ControlTest.withApp(broker: broker, schema: schema) { api in
                try await api.waitForVehicle("late-1", connectivity: "offline")
                let created = try await api.call(.post, "/v1/vehicles/late-1/commands", json: #"{"action":"pause","ttl_seconds":60}"#)
                let id = try #require(created.json["id"] as? String)
                // Wait until the desired state is retained on the broker.
                for _ in 0..<100 {
                    let desired = try await api.call(.get, "/v1/vehicles/late-1").json["desired"] as? [String: Any]
                    if desired?["published"] as? Bool == true { break }
                    try await Task.sleep(for: .milliseconds(50))
                }
                let vehicle = try TestVehicle("late-1", broker: broker)
                try await vehicle.run {
                    let answered = try await api.waitForCommand(id, statuses: ["completed"])
                    #expect(answered.json["status"] as? String == "completed")
                    #expect(vehicle.receivedDesired.first?.paused == true)
                    #expect(vehicle.paused)
                }
            }
        }
    }

    @Test("A restart mid-flight loses nothing: an acknowledgement sent while the service is down completes the command")
    func restartMidFlight() async throws {
        let broker = try TestBroker()
        try await TestPostgres.withSchema { _, schema in
            let clientID = "fleet-control-restart-\(UUID().uuidString.prefix(8))"
            let vehicle = try TestVehicle("robot-9", broker: broker, respond: false, persistent: true)
            try await vehicle.run {
                let commandID = try await ControlTest.withApp(broker: broker, schema: schema, clientID: clientID) { api in
                    try await api.waitForVehicle("robot-9")
                    let created = try await api.call(.post, "/v1/vehicles/robot-9/commands", json: #"{"action":"pause","ttl_seconds":60}"#)
                    let commandID = try #require(created.json["id"] as? String)
                    let sent = try await api.waitForCommand(commandID, statuses: ["sent"])
                    #expect(sent.json["status"] as? String == "sent")
                    return commandID
                }
                // The service is down; the vehicle answers now. The broker keeps the answers in the service's session.
                let command = try #require(vehicle.receivedCommands.first { $0.id.rawValue == commandID })
                for status in [CommandAckStatus.accepted, .completed] {
                    let ack = CommandAck(commandID: command.id, vehicleID: vehicle.id, status: status, atMillis: ControlTest.millis())
                    try await vehicle.client.publish(try FleetCodec.encode(ack), to: VehicleChannel.commandAcks.topic(for: vehicle.id), qos: .atLeastOnce)
                }
                try await ControlTest.withApp(broker: broker, schema: schema, clientID: clientID) { api in
                    let done = try await api.waitForCommand(commandID, statuses: ["completed"])
                    #expect(done.json["status"] as? String == "completed")
                    let steps = (done.json["transitions"] as? [[String: Any]] ?? []).compactMap { $0["status"] as? String }
                    #expect(steps == ["pending", "sent", "acknowledged", "completed"])
                }
            }
        }
    }

    /// The retained desired state of `vehicle`, as a newly connecting client sees it.
    func retainedDesired(_ vehicle: String, broker: TestBroker) async throws -> DesiredState? {
        try await MQTTClient.withConnection(configuration: ControlTest.mqttConfiguration(broker, clientID: "observer-\(UUID().uuidString.prefix(6))"), logger: silentLogger) { client in
            let subscription = try await client.subscribe(to: VehicleChannel.desired.topic(for: try VehicleID(vehicle)))
            for await message in subscription {
                return try FleetCodec.decode(DesiredState.self, from: message.payload)
            }
            return nil
        }
    }
}
