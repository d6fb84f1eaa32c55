import FleetService
import FleetCore
import FleetMQTT
import Logging
import ServiceLifecycle

/// Reads fleet events from the shared subscription and applies the rules (`report_ready` events become `report.ready`
/// webhook messages instead); malformed events are counted and skipped.
///
/// Events are applied by ``partitions`` workers, partitioned by vehicle, so one vehicle's events stay in order while
/// different vehicles are applied concurrently. A free worker takes everything queued for it, up to ``maxBatch``
/// events, and applies it as one batch (one transaction, a few set-based statements): under load the database round
/// trips and commits are shared by a batch instead of being paid per event, and an idle service still applies each
/// event as soon as it arrives. At most ``maxInFlight`` events wait or run at a time, so a slow database slows the
/// subscription (back-pressure) instead of growing memory.
struct EventConsumer: Service {
    let subscription: MQTTSubscription
    let alerts: any AlertRepository
    let rules: RuleBook
    let signal: WakeSignal
    let metrics: AlertingMetrics
    let logger: Logger
    /// Concurrent batches (each holds a pooled database connection while it runs; the pool has 10 by default).
    var partitions = 4
    var maxInFlight = 256
    var maxBatch = 64

    func run() async throws {
        let limiter = InFlightLimiter(limit: maxInFlight)
        // Stops at graceful shutdown (the MQTT client, which ends the subscription, shuts down after us).
        try await cancelWhenGracefulShutdown {
            try await withThrowingTaskGroup(of: Void.self) { group in
                let queues = (0..<partitions).map { _ in EventQueue() }
                for queue in queues {
                    group.addTask {
                        try await queue.forEachBatch(max: maxBatch) { batch in
                            do {
                                try await apply(batch)
                                await limiter.release(batch.count)
                            } catch {
                                await limiter.release(batch.count)
                                throw error
                            }
                        }
                    }
                }
                for await message in subscription {
                    guard let event = decode(message) else { continue }
                    await limiter.acquire()
                    queues[Self.partition(of: event, count: partitions)].append(event)
                }
                for queue in queues { queue.finish() }
                try await group.waitForAll()
            }
        }
    }

    /// The worker for an event: a hash of its vehicle id (events without a vehicle go to worker 0).
    static func partition(of event: FleetEvent, count: Int) -> Int {
        guard let vehicle = event.vehicleID else { return 0 }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in vehicle.rawValue.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return Int(hash % UInt64(count))
    }

    /// Decodes a message; a malformed one, or a `report_ready` event whose attributes break the report contract, is
    /// counted, logged and skipped.
    func decode(_ message: MQTTMessage) -> FleetEvent? {
        let event: FleetEvent
        do {
            event = try FleetCodec.decode(FleetEvent.self, from: message.payload)
        } catch {
            metrics.event("rejected")
            metrics.rejected(error.kind.rawValue)
            logger.warning("Rejected malformed fleet event", metadata: ["mqtt.topic": "\(message.topic)", "error": "\(error)"])
            return nil
        }
        if event.type == .reportReady {
            do throws(ReportEventError) {
                _ = try WebhookPayload.ReportContext(event: event)
            } catch {
                metrics.event("rejected")
                metrics.rejected(error.kind.rawValue)
                logger.warning(
                    "Rejected report_ready event", metadata: ["event.id": "\(event.id)", "error": "\(error)"])
                return nil
            }
        }
        return event
    }

    /// Applies a batch of events (in order); a database failure rolls the whole batch back and it is retried with
    /// backoff (``retryingUntilSuccess(backoff:onFailure:_:)``) until it succeeds (or shutdown).
    func apply(_ events: [FleetEvent]) async throws {
        let outcome = try await retryingUntilSuccess(onFailure: { _, error in
            metrics.event("failed", events.count)
            logger.error(
                "Applying events failed; retrying",
                metadata: ["events": "\(events.count)", "event.id": "\(events[0].id)", "error": "\(String(reflecting: error))"])
        }) {
            try await alerts.apply(events, rules: await rules.current())
        }
        metrics.event("processed", events.count - outcome.duplicates)
        metrics.event("duplicate", outcome.duplicates)
        metrics.eventBatch(events.count)
        metrics.applied(outcome)
        metrics.reportMessages(outcome.reportMessages)
        if outcome.deliveries > 0 { signal.fire() }
    }
}
