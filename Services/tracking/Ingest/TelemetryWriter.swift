import CoreMetrics
import Metrics
import FleetCore
import FleetMQTT
import FleetService
import Foundation
import Logging

/// The one storage path of accepted telemetry, for MQTT and HTTP alike: unknown-vehicle policy,
/// the store transaction (with the fleet events it decides, in the outbox), then committed-sequence acknowledgements
/// and the live stream.
struct TelemetryWriter<Repository: TrackingRepository>: Sendable {
    let repository: Repository
    let configuration: TrackingConfiguration
    let knownVehicles: KnownVehicles
    let geofences: GeofenceCache
    let commits: CommitPublisher
    /// The compact position stream; nil when turned off.
    let positions: PositionPublisher?
    let relay: OutboxRelay
    let live: LiveHub
    let deadLetters: DeadLetterSink
    let metrics: IngestMetrics
    let logger: Logger

    /// What happened to the samples of one write.
    struct Outcome: Sendable {
        var stored = 0
        var duplicates = 0
        var rejections: [Rejection] = []
    }

    /// Stores `samples` (already validated) in one transaction.
    /// - Throws: the database error; nothing was stored then.
    func write(_ samples: [ReceivedTelemetry], source: IngestSource) async throws -> Outcome {
        var outcome = Outcome()
        var accepted = samples
        let distinct = Array(Set(samples.map(\.telemetry.vehicleID.rawValue))).sorted()
        var register: [String] = []
        let unknown = await knownVehicles.unknown(among: distinct)
        if !unknown.isEmpty {
            let registered = try await repository.registeredVehicles(among: unknown)
            await knownVehicles.insert(registered)
            let missing = Set(unknown).subtracting(registered)
            switch configuration.unknownVehicles {
            case .autoRegister:
                register = missing.sorted()
            case .reject where !missing.isEmpty:
                accepted = samples.filter { !missing.contains($0.telemetry.vehicleID.rawValue) }
                outcome.rejections = samples.filter { missing.contains($0.telemetry.vehicleID.rawValue) }.map {
                    Rejection(
                        reason: .unknownVehicle, detail: "vehicle \($0.telemetry.vehicleID.rawValue) is not registered (FLEET_TRACKING_UNKNOWN_VEHICLES=reject)",
                        source: source, topic: $0.topic, vehicleID: $0.telemetry.vehicleID.rawValue, payload: $0.payload,
                        receivedAtMillis: $0.receivedMillis)
                }
            case .reject:
                break
            }
        }
        if !outcome.rejections.isEmpty {
            await deadLetters.record(outcome.rejections)
        }
        guard !accepted.isEmpty else { return outcome }

        let index = geofences.current
        let batch = TelemetryBatch(accepted, geofences: index)
        let clock = ContinuousClock()
        let start = clock.now
        let result = try await repository.store(
            batch, register: register, defaultSpeedLimit: configuration.defaultSpeedLimitMetersPerSecond,
            movingThreshold: configuration.movingThresholdMetersPerSecond)
        metrics.commitDuration.record(duration: clock.now - start)
        if !register.isEmpty { await knownVehicles.insert(register) }
        metrics.batchSize.record(batch.count)
        metrics.count(source, outcome: "accepted", by: result.inserted)
        metrics.count(source, outcome: "duplicate", by: result.duplicates)
        let now = TimestampPolicy.millis(from: .now)
        for device in batch.deviceMillis {
            metrics.commitLag.recordMilliseconds(max(0, now - device))
        }
        outcome.stored = result.inserted
        outcome.duplicates = result.duplicates

        commits.record(result.committed)
        positions?.record(result.storedSamples.map { accepted[$0] })
        if !result.reusedSequences.isEmpty {
            let reused = result.reusedSequences.map { accepted[$0] }
            let rejections = reused.map {
                Rejection(
                    reason: .sequenceReused,
                    detail: "sequence \($0.telemetry.sequence) of \($0.telemetry.vehicleID.rawValue) is already stored, yet this sample is newer than the vehicle's latest: the device numbers again from the start (not stored, so that a resend is never stored twice)",
                    source: source, topic: $0.topic, vehicleID: $0.telemetry.vehicleID.rawValue, payload: $0.payload,
                    receivedAtMillis: $0.receivedMillis)
            }
            await deadLetters.record(rejections)
            outcome.rejections += rejections
        }
        // The live stream only needs positions while someone watches.
        if live.hasSubscribers {
            await live.publish(
                accepted.map {
                    LivePosition(
                        vehicleId: $0.telemetry.vehicleID.rawValue, seq: Int64(clamping: $0.telemetry.sequence),
                        deviceTimeMs: $0.telemetry.deviceTimeMillis, lat: $0.telemetry.position.latitude,
                        lon: $0.telemetry.position.longitude, speedMps: $0.telemetry.speedMetersPerSecond,
                        headingDeg: $0.telemetry.headingDegrees, status: $0.telemetry.status.rawValue)
                })
        }
        // The events were committed with the batch (outbox); publish them now rather than at the relay's next poll.
        if result.events > 0 { relay.notify() }
        return outcome
    }
}
