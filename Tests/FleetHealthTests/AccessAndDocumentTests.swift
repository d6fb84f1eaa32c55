import FleetService
import FleetTestSupport
import Hummingbird
import Testing

@testable import FleetHealth

@Suite("fleet-health access control and OpenAPI document")
struct AccessAndDocumentTests {
    @Test("Every route the router registers is documented in docs/openapi/health.yaml, and every documented operation is served")
    func routesMatchDocument() async throws {
        let runtime = FleetServiceRuntime(configuration: FleetConfiguration(serviceName: "openapi-test"), logger: silentLogger)
        // Never run: building the components and routes does not connect.
        let components = try await HealthComponents(runtime: runtime, configuration: HealthConfiguration())
        let router = buildRouter(runtime: runtime, configuration: HealthConfiguration(), components: components)
        let served = Set(router.routes.map { OpenAPIDocument.operation(method: $0.method.rawValue, routerPath: $0.path.description) })
        let documented = try OpenAPIDocument.operations(at: "docs/openapi/health.yaml")
        #expect(documented.count >= 8)
        #expect(served.subtracting(documented).sorted() == [], "served but not documented")
        #expect(documented.subtracting(served).sorted() == [], "documented but not served")
    }

    @Test(
        "Every /v1 operation: 401 without a token, 403 without its scope, neither with it",
        .enabled(if: TestPostgres.isConfigured, "FLEET_POSTGRES_HOST is not set"), .timeLimit(.minutes(2)))
    func accessMatrix() async throws {
        let broker = try TestBroker()
        defer { broker.stop() }
        try await TestPostgres.withSchema { admin, schema in
            let harness = HealthHarness(schema: schema, broker: broker, admin: admin)
            try await harness.runWithIdentity { client, identity in
                let anonymous = try #require((client as? AuthorizedTestClient)?.anonymous)
                try await AccessMatrix.check(document: "docs/openapi/health.yaml", client: anonymous) { scopes in
                    try await identity.token(scopes: scopes)
                }
            }
        }
    }

    @Test(
        "Bad parameters get a 400 naming the parameter; unknown vehicles a 404",
        .enabled(if: TestPostgres.isConfigured, "FLEET_POSTGRES_HOST is not set"), .timeLimit(.minutes(2)))
    func badParameters() async throws {
        try await withHealthHarness { harnessRef in
            let harness = harnessRef
            try await harness.run { api, _, _ in
                for (uri, parameter) in [
                    ("/v1/incidents?cause=meteor", "cause"), ("/v1/incidents?limit=0", "limit"), ("/v1/incidents?from=yesterday", "from"),
                    ("/v1/incidents?vehicle=a/b", "vehicle"), ("/v1/incidents?after=nocursor", "after"),
                    ("/v1/incidents?from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z", "from"),
                    ("/v1/maintenance/forecast?after=x", "after"), ("/v1/maintenance/forecast?limit=5000", "limit"),
                    ("/v1/fleet/health?worst=-1", "worst"), ("/v1/vehicles/nobody/incidents?cause=x", "cause"),
                ] {
                    let (status, body) = try await HealthHarness.get(uri, from: api)
                    #expect(status == .badRequest, "\(uri)")
                    let message = (body["error"] as? [String: Any])?["message"] as? String ?? ""
                    #expect(message.contains("'\(parameter)'"), "\(uri): \(message)")
                }
                #expect(try await HealthHarness.get("/v1/vehicles/nobody/health", from: api).0 == .notFound)
                #expect(try await HealthHarness.get("/v1/vehicles/\(String(repeating: "x", count: 65))/health", from: api).0 == .badRequest)
            }
        }
    }
}
