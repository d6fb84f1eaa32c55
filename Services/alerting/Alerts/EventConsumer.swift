import FleetCore
import FleetMQTT
import Logging
import ServiceLifecycle

/// Reads fleet events from the shared subscription and applies the rules; malformed events are counted and skipped.
struct EventConsumer: Service {
    let subscription: MQTTSubscription
    let alerts: any AlertRepository
    let rules: RuleBook
    let signal: DispatchSignal
    let metrics: AlertingMetrics
    let logger: Logger

    func run() async throws {
        // Stops at graceful shutdown (the MQTT client, which ends the subscription, shuts down after us).
        try await cancelWhenGracefulShutdown {
            for await message in subscription {
                try await handle(message)
            }
        }
    }

    /// Decodes and applies one message; a database failure is retried until it succeeds (or shutdown).
    func handle(_ message: MQTTMessage) async throws {
        let event: FleetEvent
        do {
            event = try FleetCodec.decode(FleetEvent.self, from: message.payload)
        } catch {
            metrics.event("rejected")
            metrics.rejected(error.kind.rawValue)
            logger.warning(
                "Rejected malformed fleet event",
                metadata: ["mqtt.topic": "\(message.topic)", "error": "\(error)"])
            return
        }
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
