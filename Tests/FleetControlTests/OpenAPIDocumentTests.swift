import Configuration
import FleetService
import FleetTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import Testing

@testable import FleetControl

/// `docs/openapi/control.yaml` documents exactly the routes the router serves.
@Suite("fleet-control OpenAPI document")
struct OpenAPIDocumentTests {
    static func documentedOperations() throws -> Set<String> {
        try OpenAPIDocument.operations(at: "docs/openapi/control.yaml")
    }

    @Test("Every served route is documented and every documented route is served")
    func documentMatchesRouter() async throws {
        let reader = ConfigReader(providers: [InMemoryProvider(values: ["fleet.http.port": 0, "fleet.mqtt.clientID": "openapi-test"])])
        let configuration = try FleetConfiguration(serviceName: "fleet-control", reader: reader)
        let runtime = FleetServiceRuntime(configuration: configuration, logger: silentLogger)
        let control = ControlConfiguration()
        // Nothing connects: the components are created, never run.
        let components = try await ControlComponents(runtime: runtime, configuration: control)
        let router = buildRouter(runtime: runtime, configuration: control, components: components)
        let served = Set(router.routes.map { OpenAPIDocument.operation(method: $0.method.rawValue, routerPath: $0.path.description) })
        let documented = try Self.documentedOperations()
        #expect(!served.isEmpty)
        #expect(served.subtracting(documented).isEmpty, "served but not documented: \(served.subtracting(documented).sorted())")
        #expect(documented.subtracting(served).isEmpty, "documented but not served: \(documented.subtracting(served).sorted())")
    }

    @Test("Configuration: environment keys map to the documented variables; malformed values stop start-up")
    func configuration() throws {
        let values: [AbsoluteConfigKey: ConfigValue] = [
            "fleet.control.adminToken.rps": 7, "fleet.control.offlinePolicy": "refuse", "fleet.control.defaultTtlSeconds": 5,
            "fleet.control.trackPositions": 0,
        ]
        let control = try ControlConfiguration(reader: ConfigReader(provider: InMemoryProvider(values: values)))
        #expect(control.adminTokenRateLimit == 7)
        #expect(control.offlinePolicy == .refuse)
        #expect(control.defaultTTLSeconds == 5)
        #expect(!control.trackPositions)
        #expect(throws: ConfigurationError.self) {
            try ControlConfiguration(reader: ConfigReader(provider: InMemoryProvider(values: ["fleet.control.offlinePolicy": "drop"])))
        }
        #expect(throws: ConfigurationError.self) {
            try ControlConfiguration(reader: ConfigReader(provider: InMemoryProvider(values: ["fleet.control.adminToken": "short"])))
        }
        #expect(throws: ConfigurationError.self) {
            try ControlConfiguration(reader: ConfigReader(provider: InMemoryProvider(values: ["fleet.control.schema": "Bad-Schema"])))
        }
        #expect(ConfigurationError(key: "fleet.control.defaultTtlSeconds", reason: "").environmentVariable == "FLEET_CONTROL_DEFAULT_TTL_SECONDS")
        #expect(ConfigurationError(key: "fleet.control.adminToken.rps", reason: "").environmentVariable == "FLEET_CONTROL_ADMIN_TOKEN_RPS")
        #expect(ConfigurationError(key: "fleet.auth.rateLimit.rps", reason: "").environmentVariable == "FLEET_AUTH_RATE_LIMIT_RPS")
        #expect(throws: ConfigurationError.self) {
            try ControlConfiguration(reader: ConfigReader(provider: InMemoryProvider(values: ["fleet.control.provisioner.username": "svc-provisioner"])))
        }
    }

    @Test("Token bucket: a burst, then refill at the configured rate")
    func rateLimiter() {
        let limiter = RateLimiter(defaultLimit: RateLimit(perSecond: 2, burst: 3))
        let start = ContinuousClock.now
        #expect((0..<3).allSatisfy { _ in limiter.acquire("t", now: start) == nil })
        let wait = limiter.acquire("t", now: start)
        #expect(wait != nil && abs(wait! - 0.5) < 1e-9)
        #expect(limiter.acquire("other", now: start) == nil)
        #expect(limiter.acquire("t", now: start + .milliseconds(500)) == nil)
        #expect(limiter.acquire("t", now: start + .milliseconds(500)) != nil)
        // A token's own limit replaces the default.
        let own = RateLimit(perSecond: 1_000, burst: 10)
        #expect((0..<10).allSatisfy { _ in limiter.acquire("gateway", limit: own, now: start) == nil })
        #expect(limiter.acquire("gateway", limit: own, now: start) != nil)
        #expect(limiter.acquire("gateway", limit: own, now: start + .milliseconds(5)) == nil)
    }

    @Test("Token secrets: random, prefixed, and only their SHA-256 is kept")
    func tokenSecrets() {
        let a = TokenSecret.generate(), b = TokenSecret.generate()
        #expect(a != b)
        #expect(a.hasPrefix("fct_") && a.count == 68)
        #expect(TokenSecret.hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}
