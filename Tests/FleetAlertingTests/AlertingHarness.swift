import Configuration
import FleetCore
import FleetMQTT
import FleetService
import FleetTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import FleetAlerting

/// Runs fleet-alerting against a test broker and a fresh PostgreSQL schema.
struct AlertingHarness: Sendable {
    let schema: String
    let broker: TestBroker
    var configuration: AlertingConfiguration

    init(schema: String, broker: TestBroker) {
        self.schema = schema
        self.broker = broker
        var configuration = AlertingConfiguration()
        configuration.schema = schema
        configuration.allowedCIDRs = [IPRange(cidr: "127.0.0.0/8")!]
        configuration.retryBase = .milliseconds(100)
        configuration.retryMaxDelay = .seconds(1)
        configuration.pollInterval = .milliseconds(100)
        configuration.breakerCooldown = .milliseconds(300)
        configuration.sweepInterval = .milliseconds(200)
        configuration.requestTimeout = .seconds(3)
        configuration.lease = .seconds(5)
        self.configuration = configuration
    }

    /// Builds the application (same builder as `App`) and runs `body` against it over real HTTP.
    func run(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let reader = ConfigReader(providers: [InMemoryProvider(values: ["fleet.http.port": 0]), EnvironmentVariablesProvider()])
        let runtime = FleetServiceRuntime(configuration: try FleetConfiguration(serviceName: "alerting-test", reader: reader), logger: silentLogger)
        let mqtt = MQTTConfiguration(
            port: broker.port, clientID: "alerting-\(schema)", cleanStart: false, sessionExpirySeconds: 600, metricsLabel: "alerting-test")
        let app = try await buildApplication(runtime: runtime, configuration: configuration, mqttConfiguration: mqtt)
        try await app.test(.live) { client in
            try await eventually("the service is ready") {
                try await client.execute(uri: "/health/ready", method: .get).status == .ok
            }
            // The subscription is sent right after CONNACK; give the broker a moment to register it.
            try await Task.sleep(for: .milliseconds(300))
            try await body(client)
        }
    }

    /// Publishes events at QoS 1 on `fleet/v1/events/{type}`.
    func publish(_ events: [FleetEvent]) async throws {
        try await MQTTClient.withConnection(
            configuration: MQTTConfiguration(port: broker.port, clientID: "publisher-\(UUID().uuidString.prefix(8))"), logger: silentLogger
        ) { client in
            for event in events {
                try await client.publish(try FleetCodec.encode(event), to: FleetTopics.events(event.type))
            }
        }
    }

    /// Publishes raw bytes on an event topic (malformed input tests).
    func publishRaw(_ payload: [UInt8], topic: String) async throws {
        try await MQTTClient.withConnection(
            configuration: MQTTConfiguration(port: broker.port, clientID: "publisher-\(UUID().uuidString.prefix(8))"), logger: silentLogger
        ) { client in
            try await client.publish(payload, to: topic)
        }
    }
}

/// Runs `body` with a fresh broker and schema.
func withAlertingHarness(_ body: (inout AlertingHarness) async throws -> Void) async throws {
    let broker = try TestBroker()
    defer { broker.stop() }
    try await TestPostgres.withSchema { _, schema in
        var harness = AlertingHarness(schema: schema, broker: broker)
        try await body(&harness)
    }
}

/// An event for `vehicle`.
func event(_ type: FleetEventType, _ vehicle: String, severity: Severity = .warning, attributes: [String: String] = [:]) -> FleetEvent {
    FleetEvent(
        id: .random(), type: type, severity: severity, vehicleID: try! VehicleID(vehicle),
        timeMillis: Int64(Date().timeIntervalSince1970 * 1000), attributes: attributes)
}

/// Polls `condition` every 50 ms until it holds; fails after `seconds` (a hang guard, not a performance assertion).
func eventually(_ what: String, seconds: Double = 20, _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
    while ContinuousClock.now < deadline {
        if (try? await condition()) == true { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    Issue.record("timed out waiting for \(what)")
    throw CancellationError()
}

extension TestClientProtocol {
    /// Sends JSON and decodes the response as `T`, expecting `status`.
    func json<T: Decodable>(
        _ type: T.Type, _ method: HTTPRequest.Method, _ uri: String, body: String? = nil, expect status: HTTPResponse.Status = .ok,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> T {
        let response = try await execute(
            uri: uri, method: method, headers: [.contentType: "application/json"], body: body.map { ByteBuffer(string: $0) })
        #expect(response.status == status, "\(method) \(uri): \(String(buffer: response.body))", sourceLocation: sourceLocation)
        return try JSONDecoder().decode(T.self, from: Data(String(buffer: response.body).utf8))
    }

    /// Sends a request and returns status and body text.
    func raw(_ method: HTTPRequest.Method, _ uri: String, body: String? = nil) async throws -> (HTTPResponse.Status, String) {
        let response = try await execute(
            uri: uri, method: method, headers: [.contentType: "application/json"], body: body.map { ByteBuffer(string: $0) })
        return (response.status, String(buffer: response.body))
    }

    /// Creates a webhook to `url`; returns it with its secret.
    func createWebhook(url: String, extra: String = "") async throws -> WebhookResource {
        try await json(WebhookResource.self, .post, "/v1/webhooks", body: #"{"url":"\#(url)"\#(extra)}"#, expect: .created)
    }

    /// Creates an API rule from JSON.
    func createRule(_ json: String) async throws {
        let (status, body) = try await raw(.post, "/v1/rules", body: json)
        #expect(status == .created, "\(body)")
    }

    func alerts(_ query: String = "") async throws -> [AlertResource] {
        try await json(AlertList.self, .get, "/v1/alerts\(query)").alerts
    }

    func deliveries(_ webhook: String, _ query: String = "") async throws -> [DeliveryResource] {
        try await json(DeliveryList.self, .get, "/v1/webhooks/\(webhook)/deliveries\(query)").deliveries
    }
}
