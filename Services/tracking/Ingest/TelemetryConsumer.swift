import CoreMetrics
import FleetCore
import FleetMQTT
import FleetService
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Consumes telemetry from the MQTT shared subscription: validates each message, batches by count
/// and by time, and hands full batches to a fixed number of writers through bounded queues. Vehicles
/// are sharded over the writers (a vehicle always goes to the same writer), so concurrent writers never
/// wait for each other's row locks on the same vehicles. When
/// the writers fall behind (a slow or unavailable database) the queue fills, this loop waits, the
/// subscription buffer fills, and FleetMQTT stops reading the socket: the broker keeps the backlog,
/// memory stays bounded, nothing is dropped.
final class TelemetryConsumer<Repository: TrackingRepository>: Service {
    struct Batch: Sendable {
        var samples: [ReceivedTelemetry] = []
        var rejections: [Rejection] = []
        var startedAt: ContinuousClock.Instant?
        var isEmpty: Bool { samples.isEmpty && rejections.isEmpty }
        var count: Int { samples.count + rejections.count }
    }

    private let subscription: MQTTSubscription
    private let client: MQTTClient
    private let validator: TelemetryValidator
    private let writer: TelemetryWriter<Repository>
    private let configuration: TrackingConfiguration
    private let metrics: IngestMetrics
    private let logger: Logger
    /// One batch being filled per writer.
    private let pending: Mutex<[Batch]>
    /// One queue per writer.
    private let queues: [BoundedQueue<Batch>]

    init(
        subscription: MQTTSubscription, client: MQTTClient, validator: TelemetryValidator, writer: TelemetryWriter<Repository>,
        configuration: TrackingConfiguration, metrics: IngestMetrics, logger: Logger
    ) {
        self.subscription = subscription
        self.client = client
        self.validator = validator
        self.writer = writer
        self.configuration = configuration
        self.metrics = metrics
        self.logger = logger
        self.pending = Mutex(Array(repeating: Batch(), count: configuration.writers))
        self.queues = (0..<configuration.writers).map { _ in BoundedQueue(capacity: 2) }
    }

    func run() async throws {
        // Gated: runs once the schema is ready; messages wait in the subscription buffer (and the broker) until then.
        await withTaskGroup(of: Void.self) { writers in
            for queue in queues {
                writers.addTask { await self.drain(queue) }
            }
            await withTaskGroup(of: Void.self) { consumer in
                consumer.addTask { await self.tick() }
                consumer.addTask {
                    // Leave the shared subscription first, so the broker routes the rest of the stream to the
                    // other replicas instead of queueing it in this session, then drain what was received.
                    guard (try? await gracefulShutdown()) != nil else { return }
                    do {
                        try await self.client.unsubscribe(self.subscription)
                    } catch {
                        self.logger.warning("Could not leave the shared subscription", metadata: ["error": "\(error)"])
                    }
                }
                await self.consume()
                consumer.cancelAll()
            }
            // Graceful shutdown: write what was received, then let the writers finish.
            for (shard, queue) in queues.enumerated() {
                if let last = take(shard: shard, ifOlderThan: nil) {
                    await queue.push(last)
                }
                await queue.finish()
            }
        }
        logger.info("Telemetry consumer stopped")
    }

    private func consume() async {
        // Ends once unsubscribed (graceful shutdown) and drained, or when the client shuts down.
        for await message in subscription {
            let now = TimestampPolicy.millis(from: .now)
            let outcome: TelemetryValidator.Outcome
            switch FleetTopic(message.topic) {
            case .vehicle(let vehicle, .telemetry):
                outcome = validator.validate(message.payload, topicVehicle: vehicle, nowMillis: now)
            default:
                outcome = .rejected(.invalidTopic, detail: "telemetry is accepted only on fleet/v1/vehicles/{id}/telemetry", vehicleID: nil)
            }
            let shard: Int
            switch outcome {
            case .accepted(let telemetry): shard = VehicleShard.index(of: telemetry.vehicleID.rawValue, count: queues.count)
            case .rejected: shard = 0
            }
            let full: Batch? = pending.withLock { batches in
                if batches[shard].startedAt == nil { batches[shard].startedAt = .now }
                switch outcome {
                case .accepted(let telemetry):
                    batches[shard].samples.append(ReceivedTelemetry(telemetry: telemetry, receivedMillis: now, payload: message.payload, topic: message.topic))
                case .rejected(let reason, let detail, let vehicle):
                    batches[shard].rejections.append(
                        Rejection(
                            reason: reason, detail: detail, source: .mqtt, topic: message.topic, vehicleID: vehicle,
                            payload: message.payload, receivedAtMillis: now))
                }
                guard batches[shard].count >= configuration.batchSize else { return nil }
                defer { batches[shard] = Batch() }
                return batches[shard]
            }
            if let full {
                await enqueue(full, shard: shard)
            }
        }
    }

    /// Writes partial batches that waited `batchDelayMillis`, and samples the buffer gauges.
    private func tick() async {
        let delay = Duration.milliseconds(configuration.batchDelayMillis)
        while !Task.isCancelled {
            try? await Task.sleep(for: delay / 2)
            metrics.consumerBuffer.record(subscription.bufferedCount)
            var queued = 0
            for (shard, queue) in queues.enumerated() {
                queued += await queue.count
                if let due = take(shard: shard, ifOlderThan: delay) {
                    await enqueue(due, shard: shard)
                }
            }
            metrics.queuedBatches.record(queued)
        }
    }

    /// Queues a batch for its writer. While the writer is busy, batches join the one already waiting, up to
    /// ``TrackingConfiguration/maxMergedBatchRows``: under load a vehicle's rows then share one latest-state and one
    /// watermark update, which is most of the database's work per row. Only a full queue makes this wait.
    private func enqueue(_ batch: Batch, shard: Int) async {
        let limit = configuration.maxMergedBatchRows
        await queues[shard].push(batch) { waiting, new in
            guard waiting.count + new.count <= limit else { return false }
            waiting.samples += new.samples
            waiting.rejections += new.rejections
            return true
        }
    }

    private func take(shard: Int, ifOlderThan age: Duration?) -> Batch? {
        pending.withLock { batches in
            guard !batches[shard].isEmpty, let started = batches[shard].startedAt else { return nil }
            if let age, started.duration(to: .now) < age { return nil }
            defer { batches[shard] = Batch() }
            return batches[shard]
        }
    }

    /// One writer: stores batches until the queue is finished, retrying a failed batch with backoff
    /// (the batch is only dropped if the process is killed; vehicles then resend it).
    private func drain(_ queue: BoundedQueue<Batch>) async {
        while let batch = await queue.pop() {
            if !batch.samples.isEmpty {
                // On shutdown the batch is given up: it was never acknowledged as committed, so vehicles resend it.
                _ = try? await retryingUntilSuccess(onFailure: { attempt, error in
                    metrics.writeFailures.increment()
                    logger.error(
                        "Telemetry batch not stored; retrying",
                        metadata: ["rows": "\(batch.samples.count)", "attempt": "\(attempt)", "error": "\(String(reflecting: error))"])
                }) {
                    // A write stuck on a connection that died under it is abandoned and retried on a new one.
                    try await withDeadline(.seconds(30)) { [writer] in try await writer.write(batch.samples, source: .mqtt) }
                }
            }
            await writer.deadLetters.record(batch.rejections)
        }
    }
}
