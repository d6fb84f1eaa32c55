import Configuration
import FleetCore
import FleetObjectStore
import FleetMQTT
import FleetService
import FleetTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PostgresNIO
import Synchronization
import Testing

@testable import FleetTracking

/// A tracking service on a private broker and a fresh PostgreSQL schema, plus a vehicle-side MQTT client.
struct TrackingHarness: Sendable {
    let broker: TestBroker
    let schema: String
    /// A separate connection pool to the same database, for the test's own statements.
    let admin: PostgresClient
    /// The identity provider the service trusts; the API clients carry its admin token.
    let identity: TestIdentityProvider
    /// More configuration values (shared settings such as `fleet.http.trustedProxies`).
    var extra: [AbsoluteConfigKey: ConfigValue] = [:]

    /// Starts a broker, a schema, `replicas` tracking instances sharing both, and runs `body`.
    static func run(
        replicas: Int = 1,
        extra: [AbsoluteConfigKey: ConfigValue] = [:],
        configure: (inout TrackingConfiguration) -> Void = { _ in },
        _ body: @escaping @Sendable (_ harness: TrackingHarness, _ apis: [any TestClientProtocol], _ vehicle: MQTTClient) async throws -> Void
    ) async throws {
        let broker = try TestBroker()
        defer { broker.stop() }
        try await TestPostgres.withSchema { admin, schema in
          try await TestIdentityProvider.with { identity in
            let harness = TrackingHarness(broker: broker, schema: schema, admin: admin, identity: identity, extra: extra)
            var tracking = try TrackingConfiguration(reader: ServiceHarness.reader(harness.values))
            configure(&tracking)
            let vehicleConfiguration = MQTTConfiguration(port: broker.port, clientID: "vehicle-\(UUID().uuidString.prefix(8))")
            try await MQTTClient.withConnection(configuration: vehicleConfiguration, logger: silentLogger) { vehicle in
                try await harness.nest(replicas: replicas, tracking: tracking, apis: []) { apis in
                    try await body(harness, apis, vehicle)
                }
            }
          }
        }
    }

    /// The test's configuration values: its schema, short batching, commit and live intervals.
    var values: [AbsoluteConfigKey: ConfigValue] {
        identity.configurationValues + extra + [
            "fleet.tracking.schema": .init(.string(schema), isSecret: false),
            "fleet.tracking.batchDelayMillis": 20,
            "fleet.tracking.commitIntervalMillis": 50,
            "fleet.tracking.liveIntervalMillis": 50,
        ]
    }

    /// Builds the replicas one inside the other (each `test(.live)` runs until its closure returns), through the same
    /// configuration reader as `App.swift`.
    private func nest(
        replicas: Int, tracking: TrackingConfiguration, apis: [any TestClientProtocol],
        _ body: @escaping @Sendable ([any TestClientProtocol]) async throws -> Void
    ) async throws {
        guard apis.count < replicas else { return try await body(apis) }
        let reader = ServiceHarness.reader(ServiceHarness.values(broker: broker, clientID: "tracking-\(apis.count)-\(schema)") + values)
        let runtime = try ServiceHarness.runtime(serviceName: "fleet-tracking-test", reader: reader, defaultHTTPPort: 8081)
        let app = try await buildApplication(runtime: runtime, configuration: tracking)
        try await ServiceHarness.test(app, token: try await identity.adminToken()) { client in
            try await nest(replicas: replicas, tracking: tracking, apis: apis + [client], body)
        }
    }

    /// Configuration values that archive into (and report to) a new bucket of the stack's S3 server, created at start.
    static func archiveValues(bucket: String) -> [AbsoluteConfigKey: ConfigValue] {
        let store = TestObjectStore.configuration(bucket: bucket)
        return [
            "fleet.archive.s3.endpoint": .init(.string(store.endpoint), isSecret: false),
            "fleet.archive.s3.bucket": .init(.string(bucket), isSecret: false),
            "fleet.archive.s3.accessKeyId": .init(.string(store.accessKeyID), isSecret: false),
            "fleet.archive.s3.secretAccessKey": .init(.string(store.secretAccessKey), isSecret: true),
            "fleet.archive.createBucket": .init(.string("true"), isSecret: false),
        ]
    }

    /// A valid telemetry sample near Monaco.
    static func telemetry(
        _ vehicle: String, seq: UInt64, at time: Int64 = TimestampPolicy.millis(from: .now), lat: Double = 43.7384, lon: Double = 7.4246,
        speed: Double = 10, status: VehicleStatus = .moving
    ) -> Telemetry {
        Telemetry(
            vehicleID: try! VehicleID(vehicle), sequence: seq, deviceTimeMillis: time, position: Position(latitude: lat, longitude: lon),
            speedMetersPerSecond: speed, headingDegrees: 90, odometerMeters: Double(seq) * 10, batteryPercent: 80, status: status)
    }

    static func publish(_ telemetry: Telemetry, with client: MQTTClient) async throws {
        try await client.publish(try FleetCodec.encode(telemetry), to: VehicleChannel.telemetry.topic(for: telemetry.vehicleID))
    }

    /// GET `uri` and decode the JSON body.
    static func get<T: Decodable>(_ type: T.Type, _ uri: String, from api: any TestClientProtocol) async throws -> (HTTPResponse.Status, T?) {
        try await api.execute(uri: uri, method: .get) { response in
            (response.status, try? JSONDecoder().decode(T.self, from: Data(String(buffer: response.body).utf8)))
        }
    }

    static func vehicle(_ id: String, from api: any TestClientProtocol) async throws -> VehicleRecord? {
        try await get(VehicleRecord.self, "/v1/vehicles/\(id)", from: api).1
    }
}
