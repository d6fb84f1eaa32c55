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

/// Runs fleet-alerting against a test broker and a fresh PostgreSQL schema, built as `App.swift` builds it.
struct AlertingHarness: Sendable {
    let schema: String
    let broker: TestBroker
    /// Configuration values on top of the test defaults (`fleet.alerting.*` keys, as the environment would give them).
    var values: [AbsoluteConfigKey: ConfigValue]

    init(schema: String, broker: TestBroker) {
        self.schema = schema
        self.broker = broker
        values = [
            "fleet.alerting.schema": .init(.string(schema), isSecret: false),
            "fleet.alerting.webhookAllowCidrs": "127.0.0.0/8",
            "fleet.alerting.retryBaseMs": 100,
            "fleet.alerting.retryMaxDelaySeconds": 1,
            "fleet.alerting.dispatchPollMs": 100,
            "fleet.alerting.breakerCooldownMs": 300,
            "fleet.alerting.sweepMs": 200,
            "fleet.alerting.webhookTimeoutMs": 3_000,
            "fleet.alerting.leaseSeconds": 5,
            "fleet.mqtt.sessionExpirySeconds": 600,
        ]
    }

    /// Sets one configuration value (for example `"fleet.alerting.retryMaxAttempts"`).
    mutating func set(_ key: AbsoluteConfigKey, _ value: ConfigValue) {
        values[key] = value
    }

    /// Builds the application (same reader path and builder as `App`) and runs `body` against it over real HTTP.
    /// Requests carry an admin token of a test identity provider the service trusts.
    func run(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        try await runWithIdentity { client, _ in try await body(client) }
    }

    /// ``run(_:)``, also handing over the identity provider, to make tokens of other scopes.
    func runWithIdentity(_ body: @Sendable (any TestClientProtocol, TestIdentityProvider) async throws -> Void) async throws {
        try await TestIdentityProvider.with { identity in
            let reader = ServiceHarness.reader(ServiceHarness.values(broker: broker, clientID: "alerting-\(schema)") + identity.configurationValues + values)
            let runtime = try ServiceHarness.runtime(serviceName: "alerting-test", reader: reader, defaultHTTPPort: 8083)
            let app = try await buildApplication(runtime: runtime, configuration: try AlertingConfiguration(reader: reader))
            try await ServiceHarness.test(app, token: try await identity.adminToken()) { client in
                // The subscription is sent right after CONNACK; give the broker a moment to register it.
                try await Task.sleep(for: .milliseconds(300))
                try await body(client, identity)
            }
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
