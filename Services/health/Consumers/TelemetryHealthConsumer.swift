import CoreMetrics
import FleetCore
import FleetMQTT
import FleetService
import Foundation
import Logging
import ServiceLifecycle

/// Reads the raw telemetry stream (this service's shared-subscription group), refuses what tracking refuses through
/// the same FleetCore validator (counted by reason, never crashing nor touching any vehicle's state), and evaluates
/// the rest against the vehicle's health.
struct TelemetryHealthConsumer: Service {
    let subscription: MQTTSubscription
    let validator: TelemetryValidator
    let book: HealthBook
    let recorder: TransitionRecorder
    let metrics: HealthMetrics
    /// How long to wait once the buffer is empty (see ``HealthConfiguration/batchPause``).
    let batchPause: Duration
    let logger: Logger

    func run() async throws {
        // Cancelled as a whole at shutdown (not per message: that costs a merge per element on the hot path).
        await cancelWhenGracefulShutdown { await consume() }
    }

    private func consume() async {
        var sampled = 0
        for await message in subscription {
            let now = TimestampPolicy.millis(from: .now)
            switch validator.validate(message, nowMillis: now) {
            case .accepted(let telemetry):
                metrics.telemetryAccepted()
                let transitions = book.observe(telemetry, receivedMillis: now)
                if !transitions.isEmpty { await recorder.record(transitions, operation: "telemetry") }
            case .rejected(let reason, let detail, let vehicle):
                metrics.rejected(stream: "telemetry", reason: reason.rawValue)
                logger.debug("Telemetry refused", metadata: ["reason": "\(reason.rawValue)", "detail": "\(detail)", "vehicle.id": "\(vehicle ?? "")"])
            }
            sampled += 1
            if sampled & 1023 == 0 { metrics.consumerBuffer.record(subscription.bufferedCount) }
            // Waking this task costs more than handling a message: once the buffer is empty, let the next messages
            // gather for a few milliseconds and take them in one go (one wake-up per batch, not per message).
            if batchPause > .zero, subscription.bufferedCount == 0 { try? await Task.sleep(for: batchPause) }
        }
    }
}
