import Configuration
import FleetService
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Cross-origin access for the console's origin only")
struct CORSTests {
    private func app(origins: [String]) -> some ApplicationProtocol {
        let runtime = makeTestRuntime(http: HTTPServerConfiguration(corsOrigins: origins))
        let router = runtime.makeRouter()
        router.get("v1/thing") { _, _ -> String in "ok" }
        router.get("v1/secret") { _, _ -> String in throw HTTPError(.unauthorized, message: "missing bearer token") }
        return runtime.makeApplication(router: router)
    }

    @Test("A listed origin gets CORS headers, on errors too, and its preflight is answered without a token")
    func listedOrigin() async throws {
        try await app(origins: ["http://console.test:8081"]).test(.router) { client in
            try await client.execute(uri: "/v1/thing", method: .get, headers: [.origin: "http://console.test:8081"]) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.accessControlAllowOrigin] == "http://console.test:8081")
            }
            try await client.execute(uri: "/v1/secret", method: .get, headers: [.origin: "http://console.test:8081"]) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[.accessControlAllowOrigin] == "http://console.test:8081", "the page must see the 401")
            }
            try await client.execute(
                uri: "/v1/secret", method: .options,
                headers: [.origin: "http://console.test:8081", .accessControlRequestMethod: "POST", .accessControlRequestHeaders: "authorization"]
            ) { response in
                #expect(response.status == .noContent)
                #expect(response.headers[.accessControlAllowOrigin] == "http://console.test:8081")
                #expect(response.headers[.accessControlAllowHeaders]?.lowercased().contains("authorization") == true)
                #expect(response.headers[.accessControlAllowMethods]?.contains("POST") == true)
                #expect(response.headers[.accessControlAllowCredentials] == nil, "bearer tokens only, never cookies")
            }
        }
    }

    @Test("Another origin, or none configured, gets no CORS headers")
    func otherOrigins() async throws {
        try await app(origins: ["http://console.test:8081"]).test(.router) { client in
            try await client.execute(uri: "/v1/thing", method: .get, headers: [.origin: "http://evil.test"]) { response in
                #expect(response.headers[.accessControlAllowOrigin] == nil)
            }
        }
        try await app(origins: []).test(.router) { client in
            try await client.execute(uri: "/v1/thing", method: .get, headers: [.origin: "http://console.test:8081"]) { response in
                #expect(response.headers[.accessControlAllowOrigin] == nil)
            }
        }
    }

    @Test("FLEET_HTTP_CORS_ORIGINS: a list of origins; a path or another scheme is refused at start")
    func configuration() throws {
        func read(_ value: String) throws -> HTTPServerConfiguration {
            try HTTPServerConfiguration(reader: ConfigReader(provider: InMemoryProvider(values: ["fleet.http.corsOrigins": .init(.string(value), isSecret: false)])))
        }
        #expect(try read("http://127.0.0.1:8081, https://console.example").corsOrigins == ["http://127.0.0.1:8081", "https://console.example"])
        #expect(try read(" , ").corsOrigins == [])
        #expect(throws: ConfigurationError.self) { try read("http://127.0.0.1:8081/console") }
        #expect(throws: ConfigurationError.self) { try read("ftp://files.example") }
        #expect(throws: ConfigurationError.self) { try read("*") }
    }
}
