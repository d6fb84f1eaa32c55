import Configuration
import FleetCore
import FleetGeo
import FleetMQTT
import FleetService
import FleetTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import PostgresNIO
import Testing

@testable import FleetRouting

/// Runs fleet-routing against a test broker and a fresh PostgreSQL schema on the real Monaco road network, built as
/// `App.swift` builds it, with a vehicle connection to publish from and an observer of every fleet event.
struct RoutingHarness: Sendable {
    let schema: String
    let broker: TestBroker
    let admin: PostgresClient
    /// Configuration values on top of the test defaults (`fleet.routing.*` keys, as the environment would give them).
    var values: [AbsoluteConfigKey: ConfigValue]

    /// Monaco's road network, loaded once for the whole run.
    static let network: RoadNetwork = {
        let url = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("shared/data/road_network/monaco.osm.pbf")
        return try! RoadNetwork(contentsOf: url)
    }()

    init(schema: String, broker: TestBroker, admin: PostgresClient) {
        self.schema = schema
        self.broker = broker
        self.admin = admin
        values = [
            "fleet.routing.schema": .init(.string(schema), isSecret: false),
            "fleet.routing.trafficRefreshMs": 200,
            "fleet.routing.watchIntervalMs": 300,
            "fleet.routing.telemetryQos": 1,
            "fleet.mqtt.sessionExpirySeconds": 600,
            // Many suites run at once against one PostgreSQL: a small pool each keeps them under max_connections.
            "fleet.postgres.poolSize": 3,
        ]
    }

    /// Builds the application and runs `body` with an API client (admin token), the identity provider, a vehicle's
    /// MQTT client and a collector of `fleet/v1/events/+`.
    func run(
        _ body: @Sendable (_ api: any TestClientProtocol, _ identity: TestIdentityProvider, _ vehicle: MQTTClient, _ events: Collector) async throws -> Void
    ) async throws {
        try await TestIdentityProvider.with { identity in
            let reader = ServiceHarness.reader(
                ServiceHarness.values(broker: broker, clientID: "routing-\(schema)") + identity.configurationValues + values)
            let runtime = try ServiceHarness.runtime(serviceName: "routing-test", reader: reader, defaultHTTPPort: 8085)
            let app = try await buildApplication(
                runtime: runtime, configuration: try RoutingConfiguration(reader: reader), network: Self.network)
            let observer = MQTTConfiguration(port: broker.port, clientID: "observer-\(UUID().uuidString.prefix(8))")
            try await MQTTClient.withConnection(configuration: observer, logger: silentLogger) { observer in
                let events = Collector(try await observer.subscribe(to: FleetTopics.allEvents, qos: .atLeastOnce))
                let vehicleConfiguration = MQTTConfiguration(port: broker.port, clientID: "vehicle-\(UUID().uuidString.prefix(8))")
                try await MQTTClient.withConnection(configuration: vehicleConfiguration, logger: silentLogger) { vehicle in
                    try await ServiceHarness.test(app, token: try await identity.adminToken()) { client in
                        try await Task.sleep(for: .milliseconds(300))
                        try await body(client, identity, vehicle, events)
                    }
                }
            }
        }
    }

    /// Sends `body` as JSON and decodes the JSON answer as a dictionary.
    static func call(
        _ method: HTTPRequest.Method, _ uri: String, json body: Any? = nil, raw: String? = nil, on api: any TestClientProtocol
    ) async throws -> (HTTPResponse.Status, [String: Any]) {
        var buffer: ByteBuffer?
        if let raw { buffer = ByteBuffer(string: raw) }
        if let body { buffer = ByteBuffer(bytes: Array(try JSONSerialization.data(withJSONObject: body))) }
        return try await api.execute(uri: uri, method: method, headers: [.contentType: "application/json"], body: buffer) { response in
            let object = (try? JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8))) as? [String: Any]
            return (response.status, object ?? ["raw": String(buffer: response.body)])
        }
    }

    /// A sample of `vehicle` at a position.
    static func telemetry(
        _ vehicle: String, seq: UInt64, at time: Int64 = TimestampPolicy.millis(from: .now), lat: Double, lon: Double,
        speed: Double = 8, heading: Double = 0, status: VehicleStatus = .moving
    ) -> Telemetry {
        Telemetry(
            vehicleID: try! VehicleID(vehicle), sequence: seq, deviceTimeMillis: time, position: Position(latitude: lat, longitude: lon),
            speedMetersPerSecond: speed, headingDegrees: heading, odometerMeters: Double(seq) * 10, batteryPercent: 80, status: status)
    }

    /// Publishes `telemetry` at QoS 1 on its vehicle's topic.
    static func publish(_ telemetry: Telemetry, with client: MQTTClient) async throws {
        try await client.publish(try FleetCodec.encode(telemetry), to: VehicleChannel.telemetry.topic(for: telemetry.vehicleID))
    }

    /// Publishes a fleet event as fleet-health would.
    static func publish(_ event: FleetEvent, with client: MQTTClient) async throws {
        try await client.publish(try FleetCodec.encode(event), to: FleetTopics.events(event.type))
    }
}

/// Runs `body` with a fresh broker and schema.
func withRoutingHarness(_ body: (inout RoutingHarness) async throws -> Void) async throws {
    let broker = try TestBroker()
    defer { broker.stop() }
    try await TestPostgres.withSchema(poolSize: 2) { admin, schema in
        var harness = RoutingHarness(schema: schema, broker: broker, admin: admin)
        try await body(&harness)
    }
}

/// Places in Monaco (on or next to roads).
enum MonacoPlaces {
    static let depot = (lat: 43.7310, lon: 7.4195)  // Fontvieille.
    static let stops: [(lat: Double, lon: Double)] = [
        (43.7384, 7.4246), (43.7396, 7.4271), (43.7436, 7.4295), (43.7465, 7.4332), (43.7317, 7.4210),
        (43.7331, 7.4157), (43.7352, 7.4205), (43.7410, 7.4245), (43.7488, 7.4361), (43.7376, 7.4218),
    ]
}
