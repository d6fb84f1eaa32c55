import FleetCore
import FleetMQTT
import ServiceLifecycle

/// Follows `…/telemetry` (QoS 0, optional) to keep the ``PositionCache`` for bounding-box selection.
struct PositionConsumer: Service {
    let subscription: MQTTSubscription
    let positions: PositionCache
    let metrics: ControlMetrics

    func run() async throws {
        // Cancelled as a whole at shutdown, not per message: `cancelOnGracefulShutdown()` merges two sequences for every
        // element, which at the fleet's telemetry rate costs a noticeable share of a core.
        await cancelWhenGracefulShutdown {
            for await message in subscription {
                guard case .vehicle(let vehicle, .telemetry)? = FleetTopic(message.topic),
                    let sample = try? FleetCodec.decode(Telemetry.self, from: message.payload), sample.vehicleID == vehicle
                else {
                    metrics.invalidMessage(stream: "telemetry", reason: "decode")
                    continue
                }
                positions.update(vehicle.rawValue, sample.position)
            }
        }
    }
}
