import FleetTestSupport
import Foundation
import Testing

@Suite("OpenAPI documents")
struct OpenAPIDocumentValidityTests {
    static let documents = ["docs/openapi/tracking.yaml", "docs/openapi/control.yaml", "docs/openapi/alerting.yaml", "docs/openapi/health.yaml", "docs/openapi/fleet-sim.yaml", "docs/openapi/routing.yaml"]

    @Test("Every service's document is valid YAML and a structurally valid OpenAPI 3 document", arguments: documents)
    func documentIsValid(_ path: String) throws {
        let document = try OpenAPIDocument.load(at: path)
        #expect((document["paths"] as? [String: Any])?.isEmpty == false)
    }

    @Test("Every document in docs/openapi is one the services' tests check")
    func noUncheckedDocument() throws {
        let directory = OpenAPIDocument.repositoryRoot.appendingPathComponent("docs/openapi")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".yaml") }
        #expect(Set(files.map { "docs/openapi/\($0)" }) == Set(Self.documents))
    }

    @Test("A document that is not YAML, or not OpenAPI, is refused")
    func brokenDocumentsAreRefused() throws {
        let directory = OpenAPIDocument.repositoryRoot.appendingPathComponent(".build/openapi-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let cases: [(String, String)] = [
            // What control.yaml had: braces inside a flow mapping.
            ("flow", "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses: {'200': {description: /v1/commands/{command id}}}\n"),
            ("no-responses", "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get: {summary: x}\n"),
            ("dangling-ref", "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        '200': {$ref: '#/components/responses/Missing'}\n"),
            ("undeclared-param", "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /a/{id}:\n    get:\n      responses: {'200': {description: ok}}\n"),
            ("unknown-scheme", "openapi: 3.1.0\ninfo: {title: t, version: '1'}\nsecurity: [{bearer: []}]\npaths:\n  /a:\n    get:\n      responses: {'200': {description: ok}}\n"),
            ("version", "openapi: 2.0\ninfo: {title: t, version: '1'}\npaths: {}\n"),
        ]
        for (name, text) in cases {
            let file = directory.appendingPathComponent("\(name).yaml")
            try text.write(to: file, atomically: true, encoding: .utf8)
            let relative = String(file.path.dropFirst(OpenAPIDocument.repositoryRoot.path.count + 1))
            #expect(throws: (any Error).self, "\(name) must be refused") { try OpenAPIDocument.load(at: relative) }
        }
    }
}
