import FleetService
import FleetTestSupport
import Foundation
import Hummingbird
import PostgresNIO
import Testing

@testable import FleetAlerting

@Suite("OpenAPI document")
struct OpenAPITests {
    /// `METHOD /path/{param}` for every operation under `paths:` (simple line parsing).
    static func documentedOperations() throws -> Set<String> {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("docs/openapi/alerting.yaml"), encoding: .utf8)
        var operations = Set<String>()
        var inPaths = false
        var path: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == "paths:" { inPaths = true; continue }
            if inPaths, let first = line.first, first != " " { break }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), line.hasSuffix(":"), !line.hasPrefix("   ") {
                path = String(line.dropFirst(2).dropLast())
            } else if line.hasPrefix("    "), !line.hasPrefix("     "), let path {
                let key = line.trimmingCharacters(in: .whitespaces).dropLast()
                if ["get", "post", "put", "patch", "delete"].contains(String(key)) {
                    operations.insert("\(key.uppercased()) \(path)")
                }
            }
        }
        return operations
    }

    @Test("Every route the router registers is documented, and every documented operation is served")
    func routesMatchDocument() throws {
        let runtime = FleetServiceRuntime(configuration: FleetConfiguration(serviceName: "openapi-test"), logger: silentLogger)
        let postgres = runtime.makePostgresClient()  // never run: building routes does not connect
        let components = AlertingComponents(postgres: postgres, configuration: AlertingConfiguration(), logger: silentLogger)
        let router = buildRouter(runtime: runtime, components: components, readinessChecks: [])
        let served = Set(
            router.routes.map { route in
                let path = route.path.description.split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }
                return "\(route.method.rawValue) /\(path.joined(separator: "/"))"
            })
        let documented = try Self.documentedOperations()
        #expect(documented.count > 20)
        #expect(served.subtracting(documented).sorted() == [], "served but not documented")
        #expect(documented.subtracting(served).sorted() == [], "documented but not served")
    }
}
