import Configuration
import FleetService
import FleetTestSupport
import Foundation
import Hummingbird
import Testing

@testable import FleetTracking

@Suite("OpenAPI document of fleet-tracking")
struct OpenAPIDocumentTests {
    /// `(METHOD, /path/{param})` pairs declared under `paths:` of docs/openapi/tracking.yaml.
    static func documentedOperations() throws -> Set<String> {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../docs/openapi/tracking.yaml")
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        var operations = Set<String>()
        var inPaths = false
        var path: String?
        for line in lines {
            if line == "paths:" { inPaths = true; continue }
            if inPaths, !line.hasPrefix(" "), !line.isEmpty { break }
            if line.hasPrefix("  /"), line.hasSuffix(":") { path = String(line.dropFirst(2).dropLast()) }
            for method in ["get", "post", "put", "delete", "patch"] where line == "    \(method):" {
                operations.insert("\(method.uppercased()) \(path ?? "?")")
            }
        }
        return operations
    }

    @Test("Every served route is documented and every documented route is served")
    func routesMatch() async throws {
        let runtime = FleetServiceRuntime(configuration: FleetConfiguration(serviceName: "openapi-check"), logger: silentLogger)
        // Built, never run: no connection is made.
        let parts = try await TrackingComponents(runtime: runtime, tracking: TrackingConfiguration())
        let (router, webSocketRouter) = buildRouters(parts, runtime: runtime, tracking: TrackingConfiguration())
        func operation(_ method: String, _ path: String) -> String {
            let parts = path.split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }
            return "\(method) /" + parts.joined(separator: "/")
        }
        let served = Set(
            router.routes.map { operation($0.method.rawValue, $0.path.description) }
                + webSocketRouter.routes.map { operation($0.method.rawValue, $0.path.description) })
        let documented = try Self.documentedOperations()
        #expect(served.subtracting(documented).isEmpty, "served but not documented")
        #expect(documented.subtracting(served).isEmpty, "documented but not served")
        #expect(served.count >= 17)
    }
}
