import FleetCore
import FleetMQTT
import Logging
import ServiceLifecycle

/// Reads fleet events from the shared subscription and applies the rules; malformed events are counted and skipped.
///
/// Events are applied by ``partitions`` workers, partitioned by vehicle, so one vehicle's events stay in order while
/// different vehicles are applied concurrently; at most ``maxInFlight`` events wait or run at a time, so a slow
/// database slows the subscription (back-pressure) instead of growing memory.
struct EventConsumer: Service {
    let subscription: MQTTSubscription
    let alerts: any AlertRepository
    let rules: RuleBook
    let signal: DispatchSignal
    let metrics: AlertingMetrics
    let logger: Logger
    var partitions = 8
    var maxInFlight = 256

    func run() async throws {
        let limiter = InFlightLimiter(limit: maxInFlight)
        // Stops at graceful shutdown (the MQTT client, which ends the subscription, shuts down after us).
        try await cancelWhenGracefulShutdown {
            try await withThrowingTaskGroup(of: Void.self) { group in
                var continuations: [AsyncStream<FleetEvent>.Continuation] = []
                for _ in 0..<partitions {
                    let (stream, continuation) = AsyncStream.makeStream(of: FleetEvent.self)
                    continuations.append(continuation)
                    group.addTask {
                        for await event in stream {
                            do {
                                try await apply(event)
                                await limiter.release()
                            } catch {
                                await limiter.release()
                                throw error
                            }
                        }
                    }
                }
                for await message in subscription {
                    guard let event = decode(message) else { continue }
                    await limiter.acquire()
                    continuations[Self.partition(of: event, count: partitions)].yield(event)
                }
                for continuation in continuations { continuation.finish() }
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

    /// Decodes a message; a malformed one is counted, logged and skipped.
    func decode(_ message: MQTTMessage) -> FleetEvent? {
        do {
            return try FleetCodec.decode(FleetEvent.self, from: message.payload)
        } catch {
            metrics.event("rejected")
            metrics.rejected(error.kind.rawValue)
            logger.warning("Rejected malformed fleet event", metadata: ["mqtt.topic": "\(message.topic)", "error": "\(error)"])
            return nil
        }
    }

    /// Applies one event; a database failure is retried with backoff until it succeeds (or shutdown).
    func apply(_ event: FleetEvent) async throws {
        var delay = Duration.milliseconds(100)
        while true {
            do {
                let outcome = try await alerts.apply(event, rules: await rules.current())
                metrics.event("processed")
                metrics.alerts("fired", outcome.fired)
                metrics.alerts("deduplicated", outcome.deduplicated)
                metrics.alerts("throttled", outcome.throttled)
                metrics.alerts("resolved", outcome.resolved)
                if outcome.deliveries > 0 { signal.notify() }
                return
            } catch {
                metrics.event("failed")
                logger.error("Applying an event failed; retrying", metadata: ["event.id": "\(event.id)", "error": "\(String(reflecting: error))"])
                try await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(5))
            }
        }
    }
}
