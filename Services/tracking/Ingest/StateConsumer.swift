import CoreMetrics
import Foundation
import FleetCore
import FleetMQTT
import Logging
import ServiceLifecycle

/// Consumes the vehicles' state topic (retained by the vehicle, and its last will) and emits
/// `online` / `offline` events once per transition, decided in the database so replicas agree.
struct StateConsumer: Service {
    let subscription: MQTTSubscription
    let repository: any TrackingRepository
    let events: EventPublisher
    let deadLetters: DeadLetterSink
    let logger: Logger

    func run() async throws {
        for await message in subscription.cancelOnGracefulShutdown() {
            let now = TimestampPolicy.millis(from: .now)
            let state: VehicleState
            do {
                state = try FleetCodec.decode(VehicleState.self, from: message.payload)
            } catch {
                await deadLetters.record([
                    Rejection(
                        reason: RejectionReason(error), detail: "state: \(error)", source: .mqtt, topic: message.topic,
                        vehicleID: FleetTopic(message.topic)?.vehicleID?.rawValue, payload: message.payload, receivedAtMillis: now)
                ])
                continue
            }
            guard FleetTopic(message.topic)?.vehicleID == state.vehicleID else {
                await deadLetters.record([
                    Rejection(
                        reason: .vehicleMismatch, detail: "state of \(state.vehicleID.rawValue) published on \(message.topic)", source: .mqtt,
                        topic: message.topic, vehicleID: state.vehicleID.rawValue, payload: message.payload, receivedAtMillis: now)
                ])
                continue
            }
            let online = state.connectivity == .online
            for attempt in 1...5 {
                do {
                    if try await repository.updateConnectivity(vehicleID: state.vehicleID.rawValue, online: online, lastSeenMillis: state.lastSeenMillis) {
                        await events.publish([
                            FleetEvent(
                                id: .random(), type: online ? .online : .offline, severity: online ? .info : .warning,
                                vehicleID: state.vehicleID, timeMillis: state.lastSeenMillis)
                        ])
                    }
                    break
                } catch {
                    logger.warning("Connectivity not stored", metadata: ["attempt": "\(attempt)", "error": "\(error)"])
                    try? await Task.sleep(for: .milliseconds(200 * attempt))
                }
            }
        }
    }
}
