import FleetService
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Prometheus
import Synchronization
import Testing

@Suite("HTTP endpoints")
struct HTTPEndpointTests {
    private func decode<T: Decodable>(_ type: T.Type, from buffer: ByteBuffer) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
    }

    @Test("Liveness is always 200")
    func liveness() async throws {
        let runtime = makeTestRuntime()
        let router = runtime.makeRouter(readinessChecks: [ReadinessCheck("never") { false }])
        let app = runtime.makeApplication(router: router)
        try await app.test(.router) { client in
            try await client.execute(uri: "/health/live", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == #"{"status":"alive"}"#)
            }
        }
    }

    @Test("The application serves over a real socket on the configured host")
    func liveServer() async throws {
        let runtime = makeTestRuntime(http: HTTPServerConfiguration(host: "127.0.0.1", port: 0))
        let app = runtime.makeApplication(router: runtime.makeRouter())
        try await app.test(.live) { client in
            try await client.execute(uri: "/health/ready", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.server] == "fleet-test")
                #expect(response.headers[.cacheControl] == "no-store")
            }
        }
    }

    @Test("Readiness flips from 200 to 503 naming the failed dependency, and back")
    func readinessFlips() async throws {
        let brokerUp = Atomic<Bool>(true)
        let runtime = makeTestRuntime()
        let router = runtime.makeRouter(readinessChecks: [
            ReadinessCheck("database") { true },
            ReadinessCheck("broker") { brokerUp.load(ordering: .relaxed) },
        ])
        let app = runtime.makeApplication(router: router)
        try await app.test(.router) { client in
            try await client.execute(uri: "/health/ready", method: .get) { response in
                #expect(response.status == .ok)
                let report = try decode(ReadinessReport.self, from: response.body)
                #expect(report.status == "ready")
                #expect(report.checks == ["database": "up", "broker": "up"])
                #expect(report.down.isEmpty)
            }

            brokerUp.store(false, ordering: .relaxed)
            try await client.execute(uri: "/health/ready", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
                let report = try decode(ReadinessReport.self, from: response.body)
                #expect(report.status == "unavailable")
                #expect(report.checks == ["database": "up", "broker": "down"])
                #expect(report.down == ["broker"])
            }

            brokerUp.store(true, ordering: .relaxed)
            try await client.execute(uri: "/health/ready", method: .get) { response in
                #expect(response.status == .ok)
            }
        }
    }

    @Test("Throwing and hanging checks count as down")
    func throwingAndHangingChecks() async throws {
        struct Unreachable: Error {}
        let runtime = makeTestRuntime()
        let router = runtime.makeRouter(readinessChecks: [
            ReadinessCheck("throws") { throw Unreachable() },
            ReadinessCheck("hangs", timeout: .milliseconds(100)) {
                try await Task.sleep(for: .seconds(60))
                return true
            },
            ReadinessCheck("fine") { true },
        ])
        let app = runtime.makeApplication(router: router)
        // "hangs" can only be reported down if its 100 ms timeout fired: left alone it would answer `true` after 60 s.
        try await app.test(.router) { client in
            try await client.execute(uri: "/health/ready", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                let report = try decode(ReadinessReport.self, from: response.body)
                #expect(report.down == ["hangs", "throws"])
                #expect(report.checks["fine"] == "up")
            }
        }
    }

    @Test("/metrics serves the registry in Prometheus text format")
    func metrics() async throws {
        let registry = PrometheusCollectorRegistry()
        let counter = registry.makeCounter(
            descriptor: MetricNameDescriptor(
                namespace: "fleet",
                metricName: "test_events",
                unitName: "total",
                helpText: "Events seen by the test."
            )
        )
        counter.increment(by: Int64(3))
        let runtime = makeTestRuntime(registry: registry)
        let app = runtime.makeApplication(router: runtime.makeRouter())
        try await app.test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
                let body = String(buffer: response.body)
                #expect(body.contains("# TYPE fleet_test_events_total counter"))
                #expect(body.contains("fleet_test_events_total 3"))
            }
        }
    }

    @Test("Every scrape records readiness: fleet_service_ready and one gauge per check follow the dependencies")
    func readinessInMetrics() async throws {
        let brokerUp = Atomic<Bool>(true)
        let runtime = makeTestRuntime(registry: PrometheusCollectorRegistry())
        let router = runtime.makeRouter(readinessChecks: [
            ReadinessCheck("database") { true },
            ReadinessCheck("broker") { brokerUp.load(ordering: .relaxed) },
        ])
        let app = runtime.makeApplication(router: router)
        try await app.test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { response in
                let body = String(buffer: response.body)
                #expect(body.contains("# TYPE fleet_service_ready gauge"))
                #expect(body.contains("fleet_service_ready 1.0"))
                #expect(body.contains(#"fleet_readiness_check_up{check="broker"} 1.0"#))
                #expect(body.contains(#"fleet_readiness_check_up{check="database"} 1.0"#))
            }
            brokerUp.store(false, ordering: .relaxed)
            try await client.execute(uri: "/metrics", method: .get) { response in
                let body = String(buffer: response.body)
                #expect(body.contains("fleet_service_ready 0.0"))
                #expect(body.contains(#"fleet_readiness_check_up{check="broker"} 0.0"#))
                #expect(body.contains(#"fleet_readiness_check_up{check="database"} 1.0"#))
            }
        }
    }

    @Test("Errors become JSON bodies with status and message")
    func jsonErrors() async throws {
        struct Internal: Error {}
        let runtime = makeTestRuntime()
        let router = runtime.makeRouter()
        router.get("vehicles/:id") { _, context -> String in
            let id = try context.parameters.require("id")
            throw HTTPError(.notFound, message: "No vehicle \"\(id)\"")
        }
        router.get("crash") { _, _ -> String in
            throw Internal()
        }
        router.get("teapot") { _, _ -> String in
            throw HTTPError(.tooManyRequests, headers: [.retryAfter: "5"])
        }
        let app = runtime.makeApplication(router: router)
        try await app.test(.router) { client in
            try await client.execute(uri: "/vehicles/42", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
                let body = try decode(ErrorResponse.self, from: response.body)
                #expect(body == ErrorResponse(status: 404, message: "No vehicle \"42\""))
            }
            try await client.execute(uri: "/crash", method: .get) { response in
                #expect(response.status == .internalServerError)
                let body = try decode(ErrorResponse.self, from: response.body)
                #expect(body == ErrorResponse(status: 500, message: "Internal Server Error"))
            }
            try await client.execute(uri: "/teapot", method: .get) { response in
                #expect(response.status == .tooManyRequests)
                #expect(response.headers[.retryAfter] == "5")
                let body = try decode(ErrorResponse.self, from: response.body)
                #expect(body == ErrorResponse(status: 429, message: "Too Many Requests"))
            }
            try await client.execute(uri: "/no/such/route", method: .get) { response in
                #expect(response.status == .notFound)
                let body = try decode(ErrorResponse.self, from: response.body)
                #expect(body.error.status == 404)
            }
        }
    }

    @Test("Bodies above the configured limit are rejected with 413")
    func bodyLimit() async throws {
        let runtime = makeTestRuntime(http: HTTPServerConfiguration(maxBodyBytes: 16))
        let router = runtime.makeRouter()
        router.post("echo") { request, _ -> ByteBuffer in
            try await request.body.collect(upTo: .max)
        }
        let app = runtime.makeApplication(router: router)
        try await app.test(.router) { client in
            try await client.execute(uri: "/echo", method: .post, body: ByteBuffer(string: "small")) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == "small")
            }
            try await client.execute(uri: "/echo", method: .post, body: ByteBuffer(string: String(repeating: "x", count: 17))) { response in
                #expect(response.status == .contentTooLarge)
                let body = try decode(ErrorResponse.self, from: response.body)
                #expect(body == ErrorResponse(status: 413, message: "Request body exceeds 16 bytes"))
            }
        }
    }
}
