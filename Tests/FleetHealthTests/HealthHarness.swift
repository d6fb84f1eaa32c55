import Configuration
import FleetCore
import FleetMQTT
import FleetService
import FleetTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import PostgresNIO
import Testing

@testable import FleetHealth

/// Runs fleet-health against a test broker and a fresh PostgreSQL schema, built as `App.swift` builds it, with a vehicle
/// connection to publish from and an observer of every fleet event.
struct HealthHarness: Sendable {
    let schema: String
    let broker: TestBroker
    let admin: PostgresClient
    /// Configuration values on top of the test defaults (`fleet.health.*` keys, as the environment would give them).
    var values: [AbsoluteConfigKey: ConfigValue]

    init(schema: String, broker: TestBroker, admin: PostgresClient) {
        self.schema = schema
        self.broker = broker
        self.admin = admin
        values = [
            "fleet.health.schema": .init(.string(schema), isSecret: false),
            "fleet.health.sweepIntervalMs": 200,
            // Long enough that a test slowed down by a loaded machine never sees silence it did not ask for; the
            // silence test sets 2 s.
            "fleet.health.silentAfterSeconds": 120,
            "fleet.mqtt.sessionExpirySeconds": 600,
        ]
    }

    /// Builds the application and runs `body` with an API client (admin token), a vehicle's MQTT client and a collector
    /// of `fleet/v1/events/+`. `replica` names the MQTT client, so a second run with the same name is the same replica
    /// restarted.
    func run(
        replica: String = "1", _ body: @Sendable (_ api: any TestClientProtocol, _ vehicle: MQTTClient, _ events: Collector) async throws -> Void
    ) async throws {
        try await run(replica: replica) { api, _, vehicle, events in try await body(api, vehicle, events) }
    }

    /// ``run(replica:_:)`` handing over only the client and the identity provider (to make tokens of other scopes).
    func runWithIdentity(_ body: @Sendable (_ api: any TestClientProtocol, _ identity: TestIdentityProvider) async throws -> Void) async throws {
        try await run(replica: "1") { api, identity, _, _ in try await body(api, identity) }
    }

    /// The general form: client, identity provider, vehicle connection, event collector.
    func run(
        replica: String,
        _ body: @Sendable (_ api: any TestClientProtocol, _ identity: TestIdentityProvider, _ vehicle: MQTTClient, _ events: Collector) async throws -> Void
    ) async throws {
        try await TestIdentityProvider.with { identity in
            let reader = ServiceHarness.reader(
                ServiceHarness.values(broker: broker, clientID: "health-\(schema)-\(replica)") + identity.configurationValues + values)
            let runtime = try ServiceHarness.runtime(serviceName: "health-test", reader: reader, defaultHTTPPort: 8084)
            let app = try await buildApplication(runtime: runtime, configuration: try HealthConfiguration(reader: reader))
            let observer = MQTTConfiguration(port: broker.port, clientID: "observer-\(UUID().uuidString.prefix(8))")
            try await MQTTClient.withConnection(configuration: observer, logger: silentLogger) { observer in
                let events = Collector(try await observer.subscribe(to: FleetTopics.allEvents, qos: .atLeastOnce))
                let vehicleConfiguration = MQTTConfiguration(port: broker.port, clientID: "vehicle-\(UUID().uuidString.prefix(8))")
                try await MQTTClient.withConnection(configuration: vehicleConfiguration, logger: silentLogger) { vehicle in
                    try await ServiceHarness.test(app, token: try await identity.adminToken()) { client in
                        // The subscriptions are sent right after CONNACK; give the broker a moment to register them.
                        try await Task.sleep(for: .milliseconds(300))
                        try await body(client, identity, vehicle, events)
                    }
                }
            }
        }
    }

    /// Counts rows of a table of the service's schema.
    func count(_ table: String, where condition: String = "true") async throws -> Int64 {
        let rows = try await admin.query(PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(schema).\(table) WHERE \(condition)"), logger: silentLogger)
        for try await count in rows.decode(Int64.self) { return count }
        return 0
    }

    /// A sample of `vehicle`.
    static func telemetry(
        _ vehicle: String, seq: UInt64, at time: Int64 = TimestampPolicy.millis(from: .now), speed: Double = 10, battery: Double? = 80,
        fuel: Double? = nil, temperature: Double? = 85, status: VehicleStatus = .moving, codes: [String] = []
    ) -> Telemetry {
        Telemetry(
            vehicleID: try! VehicleID(vehicle), sequence: seq, deviceTimeMillis: time, position: Position(latitude: 43.7384, longitude: 7.4246),
            speedMetersPerSecond: speed, headingDegrees: 90, odometerMeters: Double(seq) * 10, batteryPercent: battery, fuelPercent: fuel,
            engineTemperatureCelsius: temperature, status: status, faultCodes: codes)
    }

    /// Publishes `telemetry` at QoS 1 on its vehicle's topic.
    static func publish(_ telemetry: Telemetry, with client: MQTTClient) async throws {
        try await client.publish(try FleetCodec.encode(telemetry), to: VehicleChannel.telemetry.topic(for: telemetry.vehicleID))
    }

    /// GET `uri` and decode the JSON body as a dictionary.
    static func get(_ uri: String, from api: any TestClientProtocol) async throws -> (HTTPResponse.Status, [String: Any]) {
        try await api.execute(uri: uri, method: .get) { response in
            let object = (try? JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8))) as? [String: Any]
            return (response.status, object ?? ["raw": String(buffer: response.body)])
        }
    }
}

/// Runs `body` with a fresh broker and schema.
func withHealthHarness(_ body: (inout HealthHarness) async throws -> Void) async throws {
    let broker = try TestBroker()
    defer { broker.stop() }
    try await TestPostgres.withSchema { admin, schema in
        var harness = HealthHarness(schema: schema, broker: broker, admin: admin)
        try await body(&harness)
    }
}
