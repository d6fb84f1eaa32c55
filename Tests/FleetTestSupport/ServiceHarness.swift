import Configuration
import FleetService
import Foundation
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import Logging
import NIOCore
import Testing

/// Builds a service in a test the way its `App.swift` does: configuration read through a `ConfigReader` (the test's
/// values first, then the environment, where `scripts/test.sh` puts the local stack's `FLEET_POSTGRES_*`), a runtime
/// with that configuration, then the service's own `buildApplication`; run live on 127.0.0.1 and a free port.
///
/// ```swift
/// let reader = ServiceHarness.reader(ServiceHarness.values(broker: broker, clientID: "control-1") + ["fleet.control.schema": …])
/// let runtime = try ServiceHarness.runtime(serviceName: "fleet-control", reader: reader, defaultHTTPPort: 8082)
/// let app = try await buildApplication(runtime: runtime, configuration: try ControlConfiguration(reader: reader))
/// try await ServiceHarness.test(app) { client in … }
/// ```
public enum ServiceHarness {
    /// The common values: HTTP on 127.0.0.1 and a free port, MQTT to `broker` as `clientID` (and `username`).
    public static func values(broker: TestBroker, clientID: String, username: String? = nil) -> [AbsoluteConfigKey: ConfigValue] {
        var values: [AbsoluteConfigKey: ConfigValue] = [
            "fleet.http.host": "127.0.0.1",
            "fleet.http.port": 0,
            "fleet.mqtt.host": "127.0.0.1",
            "fleet.mqtt.port": .init(.int(broker.port), isSecret: false),
            "fleet.mqtt.clientID": .init(.string(clientID), isSecret: false),
        ]
        if let username { values["fleet.mqtt.username"] = .init(.string(username), isSecret: false) }
        return values
    }

    /// `values` first, then the process environment: the providers `FleetConfiguration.environmentReader()` reads.
    public static func reader(_ values: [AbsoluteConfigKey: ConfigValue]) -> ConfigReader {
        ConfigReader(providers: [InMemoryProvider(values: values), EnvironmentVariablesProvider()])
    }

    /// The runtime `FleetServiceRuntime.bootstrap` would make from `reader`, without touching process-wide logging and
    /// metrics: a private registry and a silent logger, or warnings and errors on stderr when `FLEET_TEST_LOG` is set
    /// (to see what a service under test complains about).
    public static func runtime(serviceName: String, reader: ConfigReader, defaultHTTPPort: Int) throws -> FleetServiceRuntime {
        let configuration = try FleetConfiguration(serviceName: serviceName, reader: reader, defaultHTTPPort: defaultHTTPPort)
        guard ProcessInfo.processInfo.environment["FLEET_TEST_LOG"] != nil else {
            return FleetServiceRuntime(configuration: configuration, logger: silentLogger)
        }
        var logger = Logger(label: serviceName) { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = .warning
        return FleetServiceRuntime(configuration: configuration, logger: logger)
    }

    /// Runs `app` live and calls `body` once `/health/ready` answers 200; with `token`, every request that carries no
    /// `Authorization` header gets `Bearer <token>`.
    public static func test<App: ApplicationProtocol, Result: Sendable>(
        _ app: App, token: String? = nil, _ body: @Sendable (any TestClientProtocol) async throws -> Result
    ) async throws -> Result {
        try await app.test(.live) { client in
            try await eventually("the service is ready") {
                try await client.execute(uri: "/health/ready", method: .get).status == .ok
            }
            guard let token else { return try await body(client) }
            return try await body(AuthorizedTestClient(base: client, token: token))
        }
    }
}

/// A test client that sends a bearer token with every request that has no `Authorization` header of its own.
public struct AuthorizedTestClient: TestClientProtocol {
    public let base: any TestClientProtocol
    public let token: String

    public init(base: any TestClientProtocol, token: String) {
        self.base = base
        self.token = token
    }

    public func executeRequest(uri: String, method: HTTPRequest.Method, headers: HTTPFields, body: ByteBuffer?) async throws -> TestResponse {
        var headers = headers
        if headers[.authorization] == nil { headers[.authorization] = "Bearer \(token)" }
        return try await base.executeRequest(uri: uri, method: method, headers: headers, body: body)
    }

    public var port: Int? { base.port }

    /// The client without the token, for requests that must go unauthenticated.
    public var anonymous: any TestClientProtocol { base }
}

extension Dictionary where Key == AbsoluteConfigKey, Value == ConfigValue {
    /// These values with `other`'s on top.
    public static func + (lhs: Self, rhs: Self) -> Self {
        lhs.merging(rhs) { $1 }
    }
}
