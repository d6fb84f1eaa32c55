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
    func routesMatchDocument() throws {
        let runtime = FleetServiceRuntime(configuration: FleetConfiguration(serviceName: "openapi-test"), logger: silentLogger)
        let postgres = runtime.makePostgresClient()  // never run: building routes does not connect
        let components = AlertingComponents(postgres: postgres, configuration: AlertingConfiguration(), logger: silentLogger)
        let router = buildRouter(runtime: runtime, components: components, readinessChecks: [])
        let served = Set(router.routes.map { OpenAPIDocument.operation(method: $0.method.rawValue, routerPath: $0.path.description) })
        let documented = try Self.documentedOperations()
        #expect(documented.count > 20)
        #expect(served.subtracting(documented).sorted() == [], "served but not documented")
        #expect(documented.subtracting(served).sorted() == [], "documented but not served")
    }
}
