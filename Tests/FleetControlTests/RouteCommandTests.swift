import FleetCore
import FleetTestSupport
import Foundation
import HTTPTypes
import Testing

@testable import FleetControl

/// `follow_route` through fleet-control: HTTP → PostgreSQL (the route column) → MQTT → a vehicle → acknowledgements.
@Suite("fleet-control follow_route commands", .enabled(if: TestPostgres.isConfigured, "FLEET_POSTGRES_HOST is not set"), .timeLimit(.minutes(2)))
struct RouteCommandTests {
    static let route = #"{"route_id":"plan-7","stops":[{"id":"s1","lat":43.7384,"lon":7.4246,"service_s":120},{"id":"s2","lat":43.7311,"lon":7.4197}]}"#

    static let expected = RouteInstruction(
        routeID: "plan-7",
        stops: [
            RouteStop(id: "s1", latitude: 43.7384, longitude: 7.4246, serviceSeconds: 120),
            RouteStop(id: "s2", latitude: 43.7311, longitude: 7.4197, serviceSeconds: 0),
        ])

    @Test("follow_route is stored with its stops, published to the vehicle, acknowledged and completed; history returns the route")
    func endToEnd() async throws {
        let broker = try TestBroker()
        try await TestPostgres.withSchema { _, schema in
            try await ControlTest.withApp(broker: broker, schema: schema) { api in
                let vehicle = try TestVehicle("van-route-1", broker: broker)
                try await vehicle.run {
                    try await api.waitForVehicle("van-route-1")
                    let created = try await api.call(
                        .post, "/v1/vehicles/van-route-1/commands",
                        json: #"{"action":"follow_route","route":\#(Self.route),"reason":"tour 7","ttl_seconds":60}"#)
                    #expect(created.status == .accepted, "\(created.text)")
                    #expect(created.json["action"] as? String == "follow_route")
                    #expect(Self.stops(created.json) == ["s1", "s2"])
                    let id = try #require(created.json["id"] as? String)

                    let done = try await api.waitForCommand(id, statuses: ["completed"])
                    #expect(done.json["status"] as? String == "completed", "\(done.text)")
                    let steps = (done.json["transitions"] as? [[String: Any]] ?? []).compactMap { $0["status"] as? String }
                    #expect(steps.first == "pending")
                    #expect(steps.contains("acknowledged"))
                    #expect(steps.last == "completed")
                    // Read back from the database: the route column round-trips, service_s defaulted to 0.
                    let route = try #require(done.json["route"] as? [String: Any])
                    #expect(route["route_id"] as? String == "plan-7")
                    let stops = try #require(route["stops"] as? [[String: Any]])
                    #expect(stops.map { $0["service_s"] as? Int } == [120, 0])
                    #expect(stops.map { $0["lat"] as? Double } == [43.7384, 43.7311])

                    let received = try #require(vehicle.receivedCommands.first { $0.id.rawValue == id })
                    #expect(received.action == .followRoute(Self.expected))
                    #expect(received.reason == "tour 7")

                    let history = try await api.call(.get, "/v1/vehicles/van-route-1/commands")
                    let listed = (history.json["commands"] as? [[String: Any]] ?? []).first { $0["id"] as? String == id }
                    #expect(((listed?["route"] as? [String: Any])?["stops"] as? [Any])?.count == 2)
                    // follow_route does not touch the desired state.
                    let reply = try await api.call(.get, "/v1/vehicles/van-route-1")
                    #expect(reply.json["desired"] == nil)
                }
            }
        }
    }

    @Test("An unanswered follow_route is resent from the database with its stops")
    func resentWithRoute() async throws {
        let broker = try TestBroker()
        try await TestPostgres.withSchema { _, schema in
            try await ControlTest.withApp(broker: broker, schema: schema) { api in
                let vehicle = try TestVehicle("van-route-2", broker: broker, respond: false)
                try await vehicle.run {
                    try await api.waitForVehicle("van-route-2")
                    let created = try await api.call(
                        .post, "/v1/vehicles/van-route-2/commands", json: #"{"action":"follow_route","route":\#(Self.route),"ttl_seconds":30}"#)
                    #expect(created.status == .accepted, "\(created.text)")
                    let id = try #require(created.json["id"] as? String)
                    for _ in 0..<200 where vehicle.receivedCommands.filter({ $0.id.rawValue == id }).count < 2 {
                        try await Task.sleep(for: .milliseconds(50))
                    }
                    let copies = vehicle.receivedCommands.filter { $0.id.rawValue == id }
                    #expect(copies.count >= 2)
                    #expect(copies.allSatisfy { $0.action == .followRoute(Self.expected) })
                }
            }
        }
    }

    /// A request body and a text its 400 must contain (the field).
    static let refusals: [(body: String, field: String)] = [
        (#"{"action":"follow_route"}"#, "route"),
        (#"{"action":"pause","route":\#(route)}"#, "route"),
        (#"{"action":"follow_route","route":{"route_id":"plan-7"}}"#, "route.stops"),
        (#"{"action":"follow_route","route":{"stops":[{"id":"s1","lat":1,"lon":2}]}}"#, "route.route_id"),
        (#"{"action":"follow_route","route":{"route_id":"plan-7","stops":[]}}"#, "route.stops"),
        (#"{"action":"follow_route","route":{"route_id":"plan-7","stops":[\#(Array(repeating: #"{"id":"s","lat":1,"lon":2}"#, count: 201).joined(separator: ","))]}}"#, "route.stops"),
        (#"{"action":"follow_route","route":{"route_id":"plan-7","stops":[{"id":"s1","lat":91,"lon":2}]}}"#, "route.stops[0].lat"),
        (#"{"action":"follow_route","route":{"route_id":"plan-7","stops":[{"id":"s1","lat":1,"lon":2},{"id":"s2","lat":1,"lon":-181}]}}"#, "route.stops[1].lon"),
        (#"{"action":"follow_route","route":{"route_id":"plan.7","stops":[{"id":"s1","lat":1,"lon":2}]}}"#, "route.route_id"),
        (#"{"action":"follow_route","route":{"route_id":"plan-7","stops":[{"id":"s 1","lat":1,"lon":2}]}}"#, "route.stops[0].id"),
        (#"{"action":"follow_route","route":{"route_id":"plan-7","stops":[{"id":"s1","lat":1,"lon":2,"service_s":-5}]}}"#, "route.stops[0].service_s"),
        (#"{"action":"follow_route","route":{"route_id":"plan-7","stops":[{"id":"s1","lat":"north","lon":2}]}}"#, "route.stops.0.lat"),
        (#"{"action":"follow_route","route":{"route_id":"plan-7","stops":[{"id":"s1","lon":2}]}}"#, "route.stops.0.lat"),
    ]

    @Test("Bad routes are refused with 400 naming the field, and nothing is stored or sent")
    func refusals() async throws {
        let broker = try TestBroker()
        try await TestPostgres.withSchema { _, schema in
            try await ControlTest.withApp(broker: broker, schema: schema) { api in
                let vehicle = try TestVehicle("van-route-3", broker: broker)
                try await vehicle.run {
                    try await api.waitForVehicle("van-route-3")
                    for (body, field) in Self.refusals {
                        let reply = try await api.call(.post, "/v1/vehicles/van-route-3/commands", json: body)
                        #expect(reply.status == .badRequest, "\(body.prefix(120)): \(reply.text)")
                        #expect(reply.errorMessage.contains(field), "\(body.prefix(120)): \(reply.errorMessage)")
                    }
                    // A route is one vehicle's: fleet commands refuse follow_route.
                    let fleet = try await api.call(
                        .post, "/v1/fleet/commands", json: #"{"action":"follow_route","route":\#(Self.route),"vehicle_ids":["van-route-3"]}"#)
                    #expect(fleet.status == .badRequest, "\(fleet.text)")
                    #expect(fleet.errorMessage.contains("follow_route"))
                    let history = try await api.call(.get, "/v1/vehicles/van-route-3/commands")
                    #expect((history.json["commands"] as? [Any])?.isEmpty == true)
                    #expect(vehicle.receivedCommands.isEmpty)
                }
            }
        }
    }

    static func stops(_ json: [String: any Sendable]) -> [String] {
        ((json["route"] as? [String: Any])?["stops"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
    }
}
