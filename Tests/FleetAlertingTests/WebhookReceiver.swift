import FleetTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// A real HTTP receiver on a free 127.0.0.1 port: records every request and answers from a script.
final class WebhookReceiver: Sendable {
    struct Received: Sendable {
        var headers: [String: String]
        var body: String
        var at: ContinuousClock.Instant
    }

    struct Reply: Sendable {
        var status: Int
        var headers: [String: String] = [:]
    }

    let port: Int
    private let state = Mutex<(received: [Received], script: [Reply], fallback: Reply)>(([], [], Reply(status: 200)))

    init() throws {
        port = try TestBroker.freePort()
    }

    var url: String { "http://127.0.0.1:\(port)/hook" }
    var received: [Received] { state.withLock { $0.received } }

    /// The next replies, in order; afterwards every request gets `fallback`.
    func script(_ replies: [Reply], fallback: Reply = Reply(status: 200)) {
        state.withLock {
            $0.script = replies
            $0.fallback = fallback
        }
    }

    private func record(_ request: Received) -> Reply {
        state.withLock { s in
            s.received.append(request)
            return s.script.isEmpty ? s.fallback : s.script.removeFirst()
        }
    }

    /// Serves for the duration of `body`.
    func serve<Result: Sendable>(_ body: () async throws -> Result) async throws -> Result {
        let router = Router()
        router.post("hook") { request, _ -> Response in
            let buffer = try await request.body.collect(upTo: 1 << 20)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            let reply = self.record(Received(headers: headers, body: String(buffer: buffer), at: ContinuousClock.now))
            var response = Response(status: .init(code: reply.status))
            for (name, value) in reply.headers {
                if let field = HTTPField.Name(name) { response.headers[field] = value }
            }
            return response
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)), logger: silentLogger)
        let group = ServiceGroup(configuration: .init(services: [app], logger: silentLogger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            for _ in 0..<200 where !TestBroker.canConnect(port: port) { try await Task.sleep(for: .milliseconds(25)) }
            do {
                let result = try await body()
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return result
            } catch {
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
        }
    }
}
