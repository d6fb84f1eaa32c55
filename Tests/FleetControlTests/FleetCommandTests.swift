import FleetCore
import FleetMQTT
import FleetTestSupport
import Configuration
import Foundation
import HTTPTypes
import Testing

@testable import FleetControl

/// Fleet selections (ids, tag, bounding box, all) and bad input on every path.
@Suite("fleet-control fleet commands and bad input", .enabled(if: TestPostgres.isConfigured, "FLEET_POSTGRES_HOST is not set"), .timeLimit(.minutes(2)))
struct FleetCommandTests {
    @Test("A selection by tag, ids, bounding box or the whole fleet creates one command per vehicle and a summary")
    func selections() async throws {
        let broker = try TestBroker()
        try await TestPostgres.withSchema { _, schema in
            try await ControlTest.withApp(broker: broker, schema: schema) { api in
                let a = try TestVehicle("fleet-a", broker: broker)
                let b = try TestVehicle("fleet-b", broker: broker)
                try await a.run {
                    try await b.run {
                        try await api.waitForVehicle("fleet-a")
                        try await api.waitForVehicle("fleet-b")
                        #expect(try await api.call(.put, "/v1/vehicles/fleet-a/tags/north").json["changed"] as? Bool == true)
                        #expect(try await api.call(.put, "/v1/vehicles/fleet-a/tags/north").json["changed"] as? Bool == false)
                        #expect(try await api.call(.put, "/v1/vehicles/nobody/tags/north").status == .notFound)
                        let tags = try await api.call(.get, "/v1/tags")
                        #expect(tags.text.contains(#""tag":"north""#))
                        #expect((try await api.call(.get, "/v1/vehicles?tag=north").json["vehicles"] as? [Any])?.count == 1)

                        let byTag = try await api.call(.post, "/v1/fleet/commands", json: #"{"action":"pause","tag":"north","reason":"storm"}"#)
                        #expect(byTag.status == .accepted, "\(byTag.text)")
                        let commands = byTag.json["commands"] as? [[String: Any]] ?? []
                        #expect(commands.compactMap { $0["vehicle_id"] as? String } == ["fleet-a"])
                        let batch = try #require(byTag.json["batch_id"] as? String)
                        #expect(commands.first?["batch_id"] as? String == batch)
                        let commandID = try #require(commands.first?["id"] as? String)
                        #expect(try await api.waitForCommand(commandID, statuses: ["completed"]).json["status"] as? String == "completed")
                        #expect(a.paused)
                        #expect(!b.paused)

                        let byIDs = try await api.call(.post, "/v1/fleet/commands", json: #"{"action":"resume","vehicle_ids":["fleet-a","fleet-b","ghost-1"]}"#)
                        let summary = byIDs.json["summary"] as? [String: Any]
                        #expect(summary?["selected"] as? Int == 3)
                        #expect(summary?["created"] as? Int == 2)
                        #expect(summary?["skipped"] as? Int == 1)
                        #expect((byIDs.json["skipped"] as? [[String: Any]])?.first?["reason"] as? String == "unknown vehicle")

                        // Positions come from telemetry (QoS 0); fleet-b reports from inside the box.
                        try await publishPosition(b, latitude: 43.73, longitude: 7.42)
                        try await publishPosition(a, latitude: 48.85, longitude: 2.35)
                        var inBox: [String] = []
                        for _ in 0..<100 {
                            let reply = try await api.call(.post, "/v1/fleet/commands", json: #"{"action":"return_to_base","bbox":{"min_lat":43.7,"min_lon":7.4,"max_lat":43.76,"max_lon":7.45}}"#)
                            inBox = (reply.json["commands"] as? [[String: Any]] ?? []).compactMap { $0["vehicle_id"] as? String }
                            if !inBox.isEmpty { break }
                            try await Task.sleep(for: .milliseconds(50))
                        }
                        #expect(inBox == ["fleet-b"])

                        // A geofence (GeoJSON polygon): the triangle holds fleet-b; a second one whose bounding box
                        // holds it but whose area does not selects nobody.
                        let triangle = #"{"action":"return_to_base","geofence":{"type":"Polygon","coordinates":[[[7.40,43.70],[7.45,43.70],[7.42,43.77],[7.40,43.70]]]}}"#
                        let inFence = try await api.call(.post, "/v1/fleet/commands", json: triangle)
                        #expect(inFence.status == .accepted, "\(inFence.text)")
                        #expect((inFence.json["commands"] as? [[String: Any]] ?? []).compactMap { $0["vehicle_id"] as? String } == ["fleet-b"])
                        let beside = #"{"action":"return_to_base","geofence":{"type":"Polygon","coordinates":[[[7.41,43.70],[7.45,43.70],[7.45,43.76]]]}}"#
                        #expect(try await api.call(.post, "/v1/fleet/commands", json: beside).status == .notFound)

                        let all = try await api.call(.post, "/v1/fleet/commands", json: #"{"action":"clear_speed_limit","all":true}"#)
                        #expect((all.json["summary"] as? [String: Any])?["created"] as? Int == 2)
                    }
                }
            }
        }
    }

    @Test("Bad input gets a clear JSON error and changes nothing; malformed acknowledgements are counted and ignored")
    func badInput() async throws {
        let broker = try TestBroker()
        try await TestPostgres.withSchema { _, schema in
            try await ControlTest.withApp(broker: broker, schema: schema) { api in
                let vehicle = try TestVehicle("strict-1", broker: broker)
                try await vehicle.run {
                    try await api.waitForVehicle("strict-1")
                    let cases: [(String, String, String)] = [
                        ("/v1/vehicles/strict-1/commands", "not json", "Malformed JSON"),
                        ("/v1/vehicles/strict-1/commands", #"{"reason":"x"}"#, "Missing field action"),
                        ("/v1/vehicles/strict-1/commands", #"{"action":"explode"}"#, "Invalid action"),
                        ("/v1/vehicles/strict-1/commands", #"{"action":"set_speed_limit"}"#, "needs speed_limit_mps"),
                        ("/v1/vehicles/strict-1/commands", #"{"action":"set_speed_limit","speed_limit_mps":500}"#, "speed_limit_mps"),
                        ("/v1/vehicles/strict-1/commands", #"{"action":"pause","ttl_seconds":0}"#, "ttl_seconds"),
                        ("/v1/vehicles/strict-1/commands", #"{"action":"pause","ttl_seconds":"soon"}"#, "Wrong type for field ttl_seconds"),
                        ("/v1/vehicles/strict-1/commands", #"{"action":"pause","reason":"\#(String(repeating: "x", count: 300))"}"#, "reason"),
                        ("/v1/vehicles/bad%20id/commands", #"{"action":"pause"}"#, "Invalid vehicle id"),
                        ("/v1/fleet/commands", #"{"action":"pause"}"#, "exactly one selection"),
                        ("/v1/fleet/commands", #"{"action":"pause","tag":"a","all":true}"#, "exactly one selection"),
                        ("/v1/fleet/commands", #"{"action":"pause","bbox":{"min_lat":50,"min_lon":0,"max_lat":40,"max_lon":1}}"#, "min_lat"),
                        ("/v1/fleet/commands", #"{"action":"pause","geofence":{"type":"Point","coordinates":[[[7.4,43.7]]]}}"#, "GeoJSON Polygon"),
                        ("/v1/fleet/commands", #"{"action":"pause","geofence":{"type":"Polygon","coordinates":[[[7.4,43.7],[7.5,43.7]]]}}"#, "3 to 10000 positions"),
                        ("/v1/fleet/commands", #"{"action":"pause","geofence":{"type":"Polygon","coordinates":[[[7.4,43.7],[7.5,43.7],[7.5,95]]]}}"#, "within the globe"),
                        ("/v1/fleet/commands", #"{"action":"pause","geofence":{"type":"Polygon","coordinates":[[[7.4,43.7],[7.5,43.7],[7.5,43.8]],[[7.41,43.71],[7.42,43.71],[7.42,43.72]]]}}"#, "holes"),
                        ("/v1/fleet/commands", #"{"action":"pause","tag":"a","geofence":{"type":"Polygon","coordinates":[[[7.4,43.7],[7.5,43.7],[7.5,43.8]]]}}"#, "exactly one selection"),
                    ]
                    for (uri, body, message) in cases {
                        let reply = try await api.call(.post, uri, json: body)
                        #expect(reply.status == .badRequest, "\(uri) \(body): \(reply.text)")
                        #expect(reply.errorMessage.contains(message), "\(body): \(reply.errorMessage)")
                    }
                    let unknown = try await api.call(.post, "/v1/vehicles/ghost-9/commands", json: #"{"action":"pause"}"#)
                    #expect(unknown.status == .notFound)
                    #expect(unknown.errorMessage.contains("Unknown vehicle ghost-9"))
                    #expect(try await api.call(.post, "/v1/fleet/commands", json: #"{"action":"pause","tag":"nobody-has-it"}"#).status == .notFound)
                    #expect(try await api.call(.get, "/v1/commands/does-not-exist").status == .notFound)
                    #expect(try await api.call(.get, "/v1/commands/x?wait=forever").status == .badRequest)
                    #expect(try await api.call(.get, "/v1/commands/x?wait=999s").status == .badRequest)
                    #expect(try await api.call(.get, "/v1/vehicles?connectivity=maybe").status == .badRequest)
                    #expect(try await api.call(.get, "/v1/vehicles?limit=0").status == .badRequest)
                    #expect(try await api.call(.post, "/v1/tokens", json: #"{"name":"x","scopes":["root"]}"#).status == .badRequest)
                    let history = try await api.call(.get, "/v1/vehicles/strict-1/commands")
                    #expect((history.json["commands"] as? [Any])?.count == 0, "no bad request created a command")

                    // Garbage and forged acknowledgements on the broker do not disturb a real one.
                    let created = try await api.call(.post, "/v1/vehicles/strict-1/commands", json: #"{"action":"pause"}"#)
                    let id = try #require(created.json["id"] as? String)
                    try await MQTTClient.withConnection(configuration: ControlTest.mqttConfiguration(broker, clientID: "garbage"), logger: silentLogger) { client in
                        try await client.publish("{not json", to: "fleet/v1/vehicles/strict-1/commands/ack", qos: .atLeastOnce)
                        let forged = CommandAck(commandID: try MessageID(id), vehicleID: try VehicleID("other-1"), status: .failed, atMillis: ControlTest.millis())
                        try await client.publish(try FleetCodec.encode(forged), to: "fleet/v1/vehicles/strict-1/commands/ack", qos: .atLeastOnce)
                        try await client.publish("{}", to: "fleet/v1/vehicles/strict-1/state", qos: .atLeastOnce)
                    }
                    #expect(try await api.waitForCommand(id, statuses: ["completed"]).json["status"] as? String == "completed")
                    let metrics = try await api.call(.get, "/metrics", token: nil)
                    #expect(metrics.status == .ok)
                }
            }
        }
    }

    /// What fleet-tracking publishes once `vehicle`'s telemetry at this position is committed: a position batch.
    func publishPosition(_ vehicle: TestVehicle, latitude: Double, longitude: Double) async throws {
        let batch = PositionBatch(
            publishedAtMillis: ControlTest.millis(),
            positions: [
                PositionBatch.Entry(
                    vehicleID: vehicle.id, sequence: 1, deviceTimeMillis: ControlTest.millis(), latitude: latitude, longitude: longitude,
                    speedMetersPerSecond: 0, headingDegrees: 0, status: .idle)
            ])
        try await vehicle.client.publish(try FleetCodec.encode(batch, format: .binary), to: FleetTopics.positions(shard: 0), qos: .atLeastOnce)
    }
}
