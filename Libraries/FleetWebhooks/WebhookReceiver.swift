import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// A real HTTP webhook receiver: accepts `POST` on any path, hands every request to `onDelivery`, optionally keeps it
/// in ``received``, and answers from a script (`204 No Content` by default).
///
/// One receiver for the demo (`fleetctl webhooks receive`), the benchmark (`fleetctl bench webhooks`) and the
/// alerting tests.
public final class WebhookReceiver: Sendable {
    /// One received request.
    public struct Received: Sendable {
        /// Header fields by lowercase name.
        public var headers: [String: String]
        /// The body's bytes.
        public var bytes: [UInt8]
        /// When it arrived.
        public var at: ContinuousClock.Instant

        /// The body as UTF-8 text.
        public var body: String { String(decoding: bytes, as: UTF8.self) }
        /// `webhook-id` (empty if absent).
        public var id: String { headers["webhook-id"] ?? "" }
        /// `webhook-timestamp` (empty if absent).
        public var timestamp: String { headers["webhook-timestamp"] ?? "" }
        /// `webhook-signature` (empty if absent).
        public var signature: String { headers["webhook-signature"] ?? "" }
    }

    /// How the receiver answers.
    public struct Reply: Sendable {
        /// The status code.
        public var status: Int
        /// Extra header fields (for example `Retry-After`).
        public var headers: [String: String]

        /// Creates a reply.
        public init(status: Int, headers: [String: String] = [:]) {
            self.status = status
            self.headers = headers
        }
    }

    /// The interface it binds.
    public let host: String
    /// The port it binds.
    public let port: Int
    private let keepsDeliveries: Bool
    private let onDelivery: (@Sendable (Received) async -> Void)?
    private let state = Mutex<(received: [Received], script: [Reply], fallback: Reply)>(([], [], Reply(status: 204)))

    /// Creates a receiver; nothing listens before ``serve(_:)``.
    ///
    /// - Parameters:
    ///   - keepsDeliveries: Whether ``received`` keeps every request (tests); a long-running receiver passes `false`.
    ///   - onDelivery: Called for every request before it is answered.
    public init(
        host: String = "127.0.0.1", port: Int, keepsDeliveries: Bool = true, onDelivery: (@Sendable (Received) async -> Void)? = nil
    ) {
        self.host = host
        self.port = port
        self.keepsDeliveries = keepsDeliveries
        self.onDelivery = onDelivery
    }

    /// `http://host:port/hook`.
    public var url: String { "http://\(host):\(port)/hook" }
    /// Every request so far (when ``init(host:port:keepsDeliveries:onDelivery:)`` kept them).
    public var received: [Received] { state.withLock { $0.received } }

    /// The next replies, in order; afterwards every request gets `fallback`.
    public func script(_ replies: [Reply], fallback: Reply = Reply(status: 200)) {
        state.withLock {
            $0.script = replies
            $0.fallback = fallback
        }
    }

    private func record(_ request: Received) -> Reply {
        state.withLock { s in
            if keepsDeliveries { s.received.append(request) }
            return s.script.isEmpty ? s.fallback : s.script.removeFirst()
        }
    }

    /// Serves from when the port accepts connections until `body` returns (or throws).
    public func serve<Result: Sendable>(_ body: () async throws -> Result) async throws -> Result {
        let router = Router()
        let receive: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
            let buffer = try await request.body.collect(upTo: 4 << 20)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            let received = Received(headers: headers, bytes: Array(buffer.readableBytesView), at: .now)
            await self.onDelivery?(received)
            let reply = self.record(received)
            var response = Response(status: .init(code: reply.status))
            for (name, value) in reply.headers {
                if let field = HTTPField.Name(name) { response.headers[field] = value }
            }
            return response
        }
        router.post(use: receive)
        router.post("**", use: receive)
        var logger = Logger(label: "fleet.webhook-receiver")
        logger.logLevel = .error
        let (running, runningContinuation) = AsyncStream<Void>.makeStream()
        let app = Application(
            router: router, configuration: .init(address: .hostname(host, port: port)),
            onServerRunning: { _ in runningContinuation.yield() }, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask {
                // A server that cannot start (the port is taken) ends the wait below instead of leaving it for ever.
                defer { runningContinuation.finish() }
                try await group.run()
            }
            var iterator = running.makeAsyncIterator()
            guard await iterator.next() != nil else {
                try await tasks.waitForAll()
                throw WebhookReceiverError(description: "the webhook receiver could not start on \(host):\(port)")
            }
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

/// The receiver's server ended before it was running.
public struct WebhookReceiverError: Error, CustomStringConvertible {
    public var description: String
}
