import Configuration
import FleetService
import FleetTestSupport
import Foundation
import Hummingbird
import Testing

@testable import FleetTracking

@Suite("OpenAPI document of fleet-tracking")
struct OpenAPIDocumentTests {
    static func documentedOperations() throws -> Set<String> {
        try OpenAPIDocument.operations(at: "docs/openapi/tracking.yaml")
    }

    @Test("Every served route is documented and every documented route is served")
    func routesMatch() async throws {
        let runtime = FleetServiceRuntime(configuration: FleetConfiguration(serviceName: "openapi-check"), logger: silentLogger)
        // Built, never run: no connection is made.
        let parts = try await TrackingComponents(runtime: runtime, configuration: TrackingConfiguration())
        let (router, webSocketRouter) = buildRouter(runtime: runtime, configuration: TrackingConfiguration(), components: parts)
        let served = Set(
            router.routes.map { OpenAPIDocument.operation(method: $0.method.rawValue, routerPath: $0.path.description) }
                + webSocketRouter.routes.map { OpenAPIDocument.operation(method: $0.method.rawValue, routerPath: $0.path.description) })
        let documented = try Self.documentedOperations()
        #expect(served.subtracting(documented).isEmpty, "served but not documented")
        #expect(documented.subtracting(served).isEmpty, "documented but not served")
        #expect(served.count >= 17)
    }
}
