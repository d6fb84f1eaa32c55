import CoreMetrics
import FleetCore
import FleetMQTT
import FleetService
import Foundation
import Logging
import ServiceLifecycle

/// Reads the vehicles' state topic: a disconnect opens an `offline` incident (tracking emits the `offline` event
/// itself) and ends any silence; reconnecting closes it.
struct StateHealthConsumer: Service {
    let subscription: MQTTSubscription
    let book: HealthBook
    let recorder: TransitionRecorder
    let metrics: HealthMetrics
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            for await message in subscription {
                let now = TimestampPolicy.millis(from: .now)
                let state: VehicleState
                do throws(WireError) {
                    state = try FleetCodec.decode(VehicleState.self, from: message.payload)
                } catch {
                    metrics.rejected(stream: "state", reason: RejectionReason(error).rawValue)
                    continue
                }
                guard FleetTopic(message.topic)?.vehicleID == state.vehicleID else {
                    metrics.rejected(stream: "state", reason: RejectionReason.vehicleMismatch.rawValue)
                    continue
                }
                metrics.stateAccepted()
                let transitions = book.observe(state: state, nowMillis: now)
                if !transitions.isEmpty { await recorder.record(transitions, operation: "state") }
            }
        }
    }
}
