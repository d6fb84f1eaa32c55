import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// A webhook receiver on 127.0.0.1 (or `host`): calls `handle` for every POST and answers 204.
struct WebhookReceiverServer: Sendable {
    /// One received request.
    struct Delivery: Sendable {
        var id: String
        var timestamp: String
        var signature: String
        var body: [UInt8]
        var receivedAt: ContinuousClock.Instant
    }

    let host: String
    let port: Int
    let handle: @Sendable (Delivery) async -> Void

    /// Serves until `body` returns.
    func serve<Result: Sendable>(_ body: () async throws -> Result) async throws -> Result {
        let router = Router()
        let handle = self.handle
        let receive: @Sendable (Request, BasicRequestContext) async throws -> HTTPResponse.Status = { request, _ in
            let buffer = try await request.body.collect(upTo: 4 << 20)
            let field = { (name: String) in HTTPField.Name(name).flatMap { request.headers[$0] } ?? "" }
            await handle(
                Delivery(
                    id: field("webhook-id"), timestamp: field("webhook-timestamp"), signature: field("webhook-signature"),
                    body: Array(buffer.readableBytesView), receivedAt: .now))
            return .noContent
        }
        router.post(use: receive)
        router.post("**", use: receive)
        var logger = Logger(label: "fleetctl.receiver")
        logger.logLevel = .error
        let app = Application(router: router, configuration: .init(address: .hostname(host, port: port)), logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            defer { tasks.cancelAll() }
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
