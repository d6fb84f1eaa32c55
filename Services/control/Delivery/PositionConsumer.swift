import FleetCore
import FleetMQTT
import ServiceLifecycle

/// Follows the compact position stream that fleet-tracking publishes (`fleet/v1/positions/+`, ``PositionBatch``) to keep
/// the ``PositionCache`` for bounding-box and geofence selection: one message per up to 200 vehicles a second instead
/// of every telemetry message.
struct PositionConsumer: Service {
    let subscription: MQTTSubscription
    let positions: PositionCache
    let metrics: ControlMetrics

    func run() async throws {
        await cancelWhenGracefulShutdown {
            for await message in subscription {
                // Decoding validates every entry (coordinates, times); a bad batch is counted and skipped whole.
                guard message.topic.hasPrefix(FleetTopics.positionsPrefix + "/"),
                    let batch = try? FleetCodec.decode(PositionBatch.self, from: message.payload)
                else {
                    metrics.invalidMessage(stream: "positions", reason: "decode")
                    continue
                }
                positions.update(batch.positions)
            }
        }
    }
}
