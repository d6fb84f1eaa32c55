import Configuration
import FleetService
import FleetTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import FleetTracking

@Suite(
    "Operator console served by fleet-tracking", .enabled(if: TestPostgres.isConfigured, "FLEET_POSTGRES_HOST is not set"),
    .timeLimit(.minutes(2)))
struct ConsoleTests {
    @Test("/console/ serves the page and Leaflet without a token; config.json names the services; a missing file is 404")
    func servesConsole() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("console-test-\(UUID().uuidString)")
        let page = root.appendingPathComponent("console")
        let leaflet = root.appendingPathComponent("leaflet")
        try FileManager.default.createDirectory(at: page.appendingPathComponent("js"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: leaflet, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        try "<!doctype html><title>Fleet console</title>".write(to: page.appendingPathComponent("index.html"), atomically: true, encoding: .utf8)
        try "export const answer = 42;".write(to: page.appendingPathComponent("js/app.js"), atomically: true, encoding: .utf8)
        try "/* leaflet */".write(to: leaflet.appendingPathComponent("leaflet.js"), atomically: true, encoding: .utf8)

        try await TrackingHarness.run(configure: { tracking in
            tracking.console.directory = page.path
            tracking.console.leafletDirectory = leaflet.path
            tracking.console.services["routing"] = "http://routing.test:8085"
            tracking.console.tileURL = "https://tiles.test/{z}/{x}/{y}.png"
        }) { _, apis, _ in
            let anonymous = try #require((apis[0] as? AuthorizedTestClient)?.anonymous)
            try await anonymous.execute(uri: "/console/", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("<title>Fleet console</title>"))
                #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
                #expect(response.headers[.cacheControl] == "no-cache")
            }
            try await anonymous.execute(uri: "/console/js/app.js", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.contains("javascript") == true, "modules need a JavaScript type")
            }
            try await anonymous.execute(uri: "/console/vendor/leaflet/leaflet.js", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == "/* leaflet */")
            }
            try await anonymous.execute(uri: "/console", method: .get) { response in
                #expect(response.status == .permanentRedirect)
                #expect(response.headers[.location] == "/console/")
            }
            try await anonymous.execute(uri: "/console/config.json", method: .get) { response in
                #expect(response.status == .ok)
                let object = try JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8)) as? [String: Any]
                let services = object?["services"] as? [String: String]
                #expect(services?["routing"] == "http://routing.test:8085")
                #expect(services?["control"] == "http://127.0.0.1:8082")
                #expect(services?["tracking"]?.hasPrefix("http://") == true)
                #expect(object?["tile_url"] as? String == "https://tiles.test/{z}/{x}/{y}.png")
            }
            try await anonymous.execute(uri: "/console/nothing.js", method: .get) { response in
                #expect(response.status == .notFound)
            }
            for outside in ["/console/../Package.swift", "/console/vendor/leaflet/../../Package.swift", "/console/%2e%2e/Package.swift"] {
                try await anonymous.execute(uri: outside, method: .get) { response in
                    #expect([.notFound, .badRequest].contains(response.status), "\(outside): \(response.status)")
                    #expect(!String(buffer: response.body).contains("swift-tools-version"))
                }
            }
            // The API still needs a token.
            try await anonymous.execute(uri: "/v1/vehicles", method: .get) { response in
                #expect(response.status == .unauthorized)
            }
        }
    }

    @Test("FLEET_TRACKING_CONSOLE_SERVICES and _TILE_URL are checked at start")
    func configuration() throws {
        func read(_ values: [AbsoluteConfigKey: ConfigValue]) throws -> ConsoleConfiguration {
            try ConsoleConfiguration(reader: ServiceHarness.reader(values))
        }
        let parsed = try read(["fleet.tracking.console.services": "routing=https://routing.example/, health=http://10.0.0.5:8084"])
        #expect(parsed.services["routing"] == "https://routing.example")
        #expect(parsed.services["health"] == "http://10.0.0.5:8084")
        #expect(parsed.services["control"] == "http://127.0.0.1:8082")
        #expect(throws: ConfigurationError.self) { try read(["fleet.tracking.console.services": "billing=http://x.test"]) }
        #expect(throws: ConfigurationError.self) { try read(["fleet.tracking.console.services": "routing=not a url"]) }
        #expect(throws: ConfigurationError.self) { try read(["fleet.tracking.console.tileUrl": "tiles.example/{z}/{x}/{y}.png"]) }
    }
}
