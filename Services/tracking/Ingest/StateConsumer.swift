import CoreMetrics
import FleetCore
import FleetMQTT
import FleetService
import Foundation
import Logging
import ServiceLifecycle

/// Consumes the vehicles' state topic (retained by the vehicle, and its last will) and emits `online` / `offline`
/// events once per transition, decided in the database so replicas agree; the event is written to the outbox by the
/// statement that decides it, so it is published at least once.
struct StateConsumer: Service {
    let subscription: MQTTSubscription
    let repository: any TrackingRepository
    let relay: OutboxRelay
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
            // Retried until stored: the broker keeps the rest of the stream meanwhile. Only shutdown gives up, and the
            // message is then redelivered to the persistent session.
            let changed = try? await retryingUntilSuccess(onFailure: { attempt, error in
                logger.warning("Connectivity not stored; retrying", metadata: ["attempt": "\(attempt)", "error": "\(error)"])
            }) {
                try await repository.updateConnectivity(
                    vehicleID: state.vehicleID.rawValue, online: state.connectivity == .online, lastSeenMillis: state.lastSeenMillis,
                    connection: state.connection, receivedMillis: now)
            }
            if changed == true { relay.notify() }
        }
    }
}
