import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle

/// Sends outbox deliveries: claims due rows (`FOR UPDATE SKIP LOCKED`, safe with N replicas), signs and POSTs them,
/// and records the outcome with retries, `Retry-After`, a circuit breaker per endpoint and dead letters.
struct WebhookDispatcher: Service {
    let repository: any WebhookRepository
    let httpClient: HTTPClient
    let policy: DestinationPolicy
    let retry: RetryPolicy
    let breakers: CircuitBreakers
    let signal: DispatchSignal
    let configuration: AlertingConfiguration
    let metrics: AlertingMetrics
    let logger: Logger

    func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            // The poll tick shares the wake-up stream, so one loop handles both.
            group.addTask {
                while !Task.isCancelled && !Task.isShuttingDownGracefully {
                    try? await Task.sleep(for: configuration.pollInterval)
                    signal.notify()
                }
            }
            group.addTask {
                await self.loop()
            }
            _ = await group.next()
            group.cancelAll()
        }
    }

    private func loop() async {
        await withGracefulShutdownHandler {
            var wakeUps = signal.stream.makeAsyncIterator()
            while !Task.isCancelled {
                let claimed: [ClaimedDelivery]
                do {
                    let excluded = await breakers.openEndpoints()
                    claimed = try await repository.claim(
                        limit: configuration.dispatchBatch, excludingWebhooks: excluded, lease: configuration.lease)
                } catch {
                    logger.warning("Claiming deliveries failed", metadata: ["error": "\(String(reflecting: error))"])
                    claimed = []
                }
                if !claimed.isEmpty {
                    await send(claimed)
                }
                if claimed.count < configuration.dispatchBatch {
                    guard await wakeUps.next() != nil else { return }
                }
            }
        } onGracefulShutdown: {
            signal.finish()
        }
    }

    /// Sends a batch with at most `dispatchConcurrency` requests in flight, then records the successes in one statement.
    private func send(_ batch: [ClaimedDelivery]) async {
        let delivered = await withTaskGroup(of: (id: String, statusCode: Int)?.self) { group in
            var delivered: [(id: String, statusCode: Int)] = []
            var inFlight = 0
            for delivery in batch {
                if inFlight >= configuration.dispatchConcurrency {
                    if let result = await group.next(), let success = result { delivered.append(success) }
                    inFlight -= 1
                }
                group.addTask { await self.deliver(delivery) }
                inFlight += 1
            }
            for await result in group {
                if let success = result { delivered.append(success) }
            }
            return delivered
        }
        do {
            try await repository.markDelivered(delivered)
        } catch {
            // The leases expire and the messages are sent again with the same webhook-id (at least once).
            logger.warning("Recording delivered messages failed", metadata: ["error": "\(String(reflecting: error))"])
        }
    }

    /// One attempt of one delivery. Failures are written back to the outbox here; a success is returned for the
    /// batched ``WebhookRepository/markDelivered(_:)``.
    func deliver(_ delivery: ClaimedDelivery) async -> (id: String, statusCode: Int)? {
        var logger = self.logger
        logger[metadataKey: "webhook.id"] = "\(delivery.webhookID)"
        logger[metadataKey: "delivery.id"] = "\(delivery.id)"
        do {
            guard await breakers.permit(delivery.webhookID) else {
                metrics.delivery("deferred")
                try await repository.release(id: delivery.id, at: Date().addingTimeInterval(RetryPolicy.seconds(breakers.cooldown)))
                return nil
            }
            do {
                try policy.check(delivery.url)
            } catch {
                metrics.delivery("refused")
                logger.warning("Webhook destination refused", metadata: ["reason": "\(error.reason)"])
                try await repository.markFailed(id: delivery.id, statusCode: nil, error: error.reason, retryAt: nil)
                return nil
            }
            guard let signer = WebhookSigner(secret: delivery.secret) else {
                try await repository.markFailed(id: delivery.id, statusCode: nil, error: "webhook secret is malformed", retryAt: nil)
                return nil
            }
            let (status, retryAfter, failure) = await post(delivery, signer: signer)
            if let status, (200..<300).contains(status) {
                if await breakers.recordSuccess(delivery.webhookID) {
                    let expedited = try await repository.expedite(webhookID: delivery.webhookID)
                    logger.info("Webhook endpoint recovered; pending deliveries are due now", metadata: ["expedited": "\(expedited)"])
                    signal.notify()
                }
                metrics.delivery("delivered")
                metrics.deliveryLatency(seconds: Date().timeIntervalSince(delivery.createdAt))
                return (delivery.id, status)
            }
            await breakers.recordFailure(delivery.webhookID)
            let reason = failure ?? "receiver answered HTTP \(status ?? 0)"
            let delay = retry.delay(afterAttempts: delivery.attempts, retryAfter: retryAfter)
            let next = Date().addingTimeInterval(RetryPolicy.seconds(delay))
            if retry.isExhausted(attempts: delivery.attempts, createdAt: delivery.createdAt, next: next) {
                metrics.delivery("dead")
                logger.warning("Webhook delivery dead-lettered", metadata: ["attempts": "\(delivery.attempts)", "reason": "\(reason)"])
                try await repository.markFailed(id: delivery.id, statusCode: status, error: reason, retryAt: nil)
            } else {
                metrics.delivery("failed")
                logger.info("Webhook delivery failed; will retry", metadata: ["attempts": "\(delivery.attempts)", "reason": "\(reason)"])
                try await repository.markFailed(id: delivery.id, statusCode: status, error: reason, retryAt: next)
            }
            return nil
        } catch {
            // The lease expires and another round retries the delivery: nothing is lost.
            logger.warning("Recording a delivery outcome failed", metadata: ["error": "\(String(reflecting: error))"])
            return nil
        }
    }

    /// POSTs the signed payload; returns the status, a parsed `Retry-After`, or the transport error.
    private func post(_ delivery: ClaimedDelivery, signer: WebhookSigner) async -> (Int?, Duration?, String?) {
        let timestamp = Int64(Date().timeIntervalSince1970)
        let body = Array(delivery.payload.utf8)
        var request = HTTPClientRequest(url: delivery.url)
        request.method = .POST
        for (name, value) in delivery.headers { request.headers.replaceOrAdd(name: name, value: value) }
        request.headers.replaceOrAdd(name: "content-type", value: "application/json")
        request.headers.replaceOrAdd(name: "user-agent", value: "fleet-alerting/1")
        request.headers.replaceOrAdd(name: "webhook-id", value: delivery.id)
        request.headers.replaceOrAdd(name: "webhook-timestamp", value: "\(timestamp)")
        request.headers.replaceOrAdd(name: "webhook-signature", value: signer.signature(id: delivery.id, timestamp: timestamp, body: body))
        request.body = .bytes(ByteBuffer(bytes: body))
        let timeout = TimeAmount.nanoseconds(Int64(RetryPolicy.seconds(configuration.requestTimeout) * 1e9))
        do {
            let response = try await httpClient.execute(request, timeout: timeout)
            // Bounded read: at most maxResponseBytes of the body are consumed, the rest is abandoned.
            var read = 0
            for try await chunk in response.body {
                read += chunk.readableBytes
                if read >= configuration.maxResponseBytes { break }
            }
            let retryAfter = response.headers.first(name: "retry-after").flatMap { RetryPolicy.parseRetryAfter($0) }
            return (Int(response.status.code), retryAfter, nil)
        } catch {
            return (nil, nil, "request failed: \(error)")
        }
    }
}
