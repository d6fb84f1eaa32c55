import FleetCore
import FleetMQTT
import Logging

/// Publishes fleet events on `fleet/v1/events/{type}` (QoS 1).
///
/// Events are derived after the batch that caused them is committed; if the process dies in between,
/// that event is lost (at most once), while the telemetry itself is safe.
struct EventPublisher: Sendable {
    let client: MQTTClient
    let metrics: IngestMetrics
    let logger: Logger

    /// Publishes `events` concurrently (FleetMQTT bounds what is in flight) and returns when all are acknowledged.
    func publish(_ events: [FleetEvent]) async {
        await withTaskGroup(of: Void.self) { group in
            for event in events {
                group.addTask { await publish(event) }
            }
        }
    }

    private func publish(_ event: FleetEvent) async {
        do {
            let payload = try FleetCodec.encode(event)
            try await client.publish(payload, to: FleetTopics.events(event.type), qos: .atLeastOnce)
            metrics.eventPublished(event.type.rawValue)
        } catch {
            logger.warning(
                "Could not publish event",
                metadata: ["event.type": "\(event.type.rawValue)", "vehicle.id": "\(event.vehicleID?.rawValue ?? "")", "error": "\(error)"])
        }
    }
}
