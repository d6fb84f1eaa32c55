import FleetService
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle

/// Sends outbox deliveries: claims due rows (`FOR UPDATE SKIP LOCKED`, safe with N replicas), signs and POSTs them,
/// and records the outcome with retries, `Retry-After`, a circuit breaker per endpoint and dead letters.
///
/// Dispatch is continuous, not in rounds: up to `dispatchConcurrency` requests are in flight, and each time some
/// finish the loop records every outcome that arrived meanwhile in one statement and refills the free slots with one
/// claim (oldest message first). A slow receiver holds only the slots of its own requests, nothing waits for the
/// slowest request of a round, and the database sees a few statements per wake-up however many deliveries they cover.
struct WebhookDispatcher: Service {
    let repository: any WebhookRepository
    let httpClient: HTTPClient
    let policy: DestinationPolicy
    let retry: RetryPolicy
    let breakers: CircuitBreakers
    let signal: WakeSignal
    let configuration: AlertingConfiguration
    let metrics: AlertingMetrics
    let logger: Logger

    func run() async throws {
        let inbox = DispatchInbox()
        await withTaskGroup(of: Void.self) { helpers in
            // New outbox rows (consumer, API, sweeper) fire the signal; retries whose backoff ran out and circuits whose
            // cooldown ended are noticed when the wait times out.
            helpers.addTask {
                while !Task.isCancelled {
                    await signal.wait(timeout: configuration.pollInterval)
                    inbox.markDue()
                }
            }
            await withGracefulShutdownHandler {
                await dispatch(inbox)
            } onGracefulShutdown: {
                inbox.stop()
            }
            helpers.cancelAll()
        }
    }

    /// The loop: record outcomes, expedite recovered endpoints, claim into free slots, wait for news. Returns once
    /// stopping and nothing is in flight, or when cancelled (unrecorded attempts are then retried after their lease
    /// expires, with the same webhook-id).
    private func dispatch(_ inbox: DispatchInbox) async {
        let capacity = max(1, configuration.dispatchConcurrency)
        await withDiscardingTaskGroup { group in
            var wakeUps = inbox.wakeUps.makeAsyncIterator()
            var inFlight = 0
            // Whether a claim may find something: set by a wake-up, kept while claims come back full.
            var mayBeDue = true
            while !Task.isCancelled {
                let mail = inbox.take()
                inFlight -= mail.outcomes.count
                await record(mail.outcomes)
                // After the outcomes, so deliveries released while the circuit was open are made due as well.
                for webhookID in mail.recovered.sorted() { await expedite(webhookID) }
                if mail.due || !mail.recovered.isEmpty { mayBeDue = true }
                if mail.stopping {
                    if inFlight == 0 { return }
                } else if mayBeDue && inFlight < capacity {
                    let limit = min(max(1, configuration.dispatchBatch), capacity - inFlight)
                    let claimed = await claim(limit: limit)
                    for delivery in claimed {
                        group.addTask {
                            let outcome = await attempt(delivery, inbox: inbox)
                            inbox.post(outcome)
                        }
                    }
                    inFlight += claimed.count
                    // A full claim suggests more is due: claim again as soon as there is room, without a wake-up.
                    mayBeDue = claimed.count == limit
                    if mayBeDue && inFlight < capacity { continue }
                }
                guard await wakeUps.next() != nil else { return }
            }
        }
    }

    /// Leases up to `limit` due deliveries of endpoints whose circuit is not open; none if the database fails.
    private func claim(limit: Int) async -> [ClaimedDelivery] {
        do {
            let excluded = await breakers.openEndpoints()
            return try await repository.claim(limit: limit, excludingWebhooks: excluded, lease: configuration.lease)
        } catch {
            logger.warning("Claiming deliveries failed", metadata: ["error": "\(String(reflecting: error))"])
            return []
        }
    }

    /// Records outcomes in one statement.
    private func record(_ outcomes: [DeliveryOutcome]) async {
        guard !outcomes.isEmpty else { return }
        metrics.outcomesRecorded(outcomes.count)
        do {
            try await repository.record(outcomes)
        } catch {
            // The leases expire and the messages are sent again with the same webhook-id (at least once).
            logger.warning(
                "Recording delivery outcomes failed",
                metadata: ["deliveries": "\(outcomes.count)", "error": "\(String(reflecting: error))"])
        }
    }

    /// Makes a recovered endpoint's pending deliveries due now.
    private func expedite(_ webhookID: String) async {
        do {
            let expedited = try await repository.expedite(webhookID: webhookID)
            logger.info(
                "Webhook endpoint recovered; pending deliveries are due now",
                metadata: ["webhook.id": "\(webhookID)", "expedited": "\(expedited)"])
        } catch {
            // Its deliveries still come due when their backoff ends.
            logger.warning(
                "Expediting a recovered endpoint failed",
                metadata: ["webhook.id": "\(webhookID)", "error": "\(String(reflecting: error))"])
        }
    }

    /// One attempt of one delivery; returns how it ended (the loop records outcomes in batches). An endpoint that
    /// recovered is posted to `inbox`, so the loop makes its backlog due.
    func attempt(_ delivery: ClaimedDelivery, inbox: DispatchInbox) async -> DeliveryOutcome {
        var logger = self.logger
        logger[metadataKey: "webhook.id"] = "\(delivery.webhookID)"
        logger[metadataKey: "delivery.id"] = "\(delivery.id)"
        guard await breakers.permit(delivery.webhookID) else {
            metrics.delivery("deferred")
            let retryAt = Date().addingTimeInterval(RetryPolicy.seconds(breakers.cooldown))
            return DeliveryOutcome(id: delivery.id, result: .released(retryAt: retryAt))
        }
        do {
            try policy.check(delivery.url)
        } catch {
            metrics.delivery("refused")
            logger.warning("Webhook destination refused", metadata: ["reason": "\(error.reason)"])
            return DeliveryOutcome(id: delivery.id, result: .dead(statusCode: nil, error: error.reason))
        }
        guard let signer = WebhookSigner(secret: delivery.secret) else {
            return DeliveryOutcome(id: delivery.id, result: .dead(statusCode: nil, error: "webhook secret is malformed"))
        }
        let (status, retryAfter, failure) = await post(delivery, signer: signer)
        if let status, (200..<300).contains(status) {
            if await breakers.recordSuccess(delivery.webhookID) {
                inbox.recovered(delivery.webhookID)
            }
            metrics.delivery("delivered")
            metrics.deliveryLatency(seconds: Date().timeIntervalSince(delivery.createdAt))
            return DeliveryOutcome(id: delivery.id, result: .delivered(statusCode: status))
        }
        await breakers.recordFailure(delivery.webhookID)
        let reason = failure ?? "receiver answered HTTP \(status ?? 0)"
        let delay = retry.delay(afterAttempts: delivery.attempts, retryAfter: retryAfter)
        let next = Date().addingTimeInterval(RetryPolicy.seconds(delay))
        if retry.isExhausted(attempts: delivery.attempts, createdAt: delivery.createdAt, next: next) {
            metrics.delivery("dead")
            logger.warning("Webhook delivery dead-lettered", metadata: ["attempts": "\(delivery.attempts)", "reason": "\(reason)"])
            return DeliveryOutcome(id: delivery.id, result: .dead(statusCode: status, error: reason))
        }
        metrics.delivery("failed")
        logger.info("Webhook delivery failed; will retry", metadata: ["attempts": "\(delivery.attempts)", "reason": "\(reason)"])
        return DeliveryOutcome(id: delivery.id, result: .failed(statusCode: status, error: reason, retryAt: next))
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
