import FleetService
import FleetTestSupport
import Hummingbird
import Testing

@testable import FleetRouting

@Suite("fleet-routing access control and OpenAPI document")
struct AccessAndDocumentTests {
    @Test("Every route the router registers is documented in docs/openapi/routing.yaml, and every documented operation is served")
    func routesMatchDocument() async throws {
        let runtime = FleetServiceRuntime(configuration: FleetConfiguration(serviceName: "openapi-test"), logger: silentLogger)
        // Never run: building the components and routes does not connect.
        let components = try await RoutingComponents(
            runtime: runtime, configuration: RoutingConfiguration(), network: RoutingHarness.network)
        let router = buildRouter(runtime: runtime, configuration: RoutingConfiguration(), components: components)
        let served = Set(router.routes.map { OpenAPIDocument.operation(method: $0.method.rawValue, routerPath: $0.path.description) })
        let documented = try OpenAPIDocument.operations(at: "docs/openapi/routing.yaml")
        #expect(documented.count >= 9)
        #expect(served.subtracting(documented).sorted() == [], "served but not documented")
        #expect(documented.subtracting(served).sorted() == [], "documented but not served")
    }

    @Test(
        "Every /v1 operation: 401 without a token, 403 without its scope, neither with it",
        .enabled(if: TestPostgres.isConfigured, "FLEET_POSTGRES_HOST is not set"), .timeLimit(.minutes(2)))
    func accessMatrix() async throws {
        try await withRoutingHarness { harness in
            try await harness.run { client, identity, _, _ in
                let anonymous = try #require((client as? AuthorizedTestClient)?.anonymous)
                try await AccessMatrix.check(document: "docs/openapi/routing.yaml", client: anonymous) { scopes in
                    try await identity.token(scopes: scopes)
                }
            }
        }
    }
}
