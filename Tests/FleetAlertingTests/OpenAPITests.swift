import AsyncHTTPClient
import FleetService
import FleetTestSupport
import Foundation
import Hummingbird
import PostgresNIO
import Testing

@testable import FleetAlerting

@Suite("OpenAPI document")
struct OpenAPITests {
    static func documentedOperations() throws -> Set<String> {
        try OpenAPIDocument.operations(at: "docs/openapi/alerting.yaml")
    }

    @Test("Every route the router registers is documented, and every documented operation is served")
    func routesMatchDocument() async throws {
        let runtime = FleetServiceRuntime(configuration: FleetConfiguration(serviceName: "openapi-test"), logger: silentLogger)
        // Never run: building the components and routes does not connect.
        let components = try await AlertingComponents(runtime: runtime, configuration: AlertingConfiguration())
        let router = buildRouter(runtime: runtime, configuration: AlertingConfiguration(), components: components)
        try await components.httpClient.shutdown()
        let served = Set(router.routes.map { OpenAPIDocument.operation(method: $0.method.rawValue, routerPath: $0.path.description) })
        let documented = try Self.documentedOperations()
        #expect(documented.count > 20)
        #expect(served.subtracting(documented).sorted() == [], "served but not documented")
        #expect(documented.subtracting(served).sorted() == [], "documented but not served")
    }
}
