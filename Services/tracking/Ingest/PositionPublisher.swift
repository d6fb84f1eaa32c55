import CoreMetrics
import FleetCore
import FleetMQTT
import FleetService
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Publishes the compact position stream: every interval, the newest committed position of each vehicle that reported
/// since the last one, as ``PositionBatch`` messages (binary, QoS 0, not retained) on `fleet/v1/positions/{shard}`.
///
/// Services that only need where vehicles are (fleet-control's selections) follow this instead of every telemetry
/// message. A vehicle always goes to the same shard (the writers' hash), so a consumer may follow a subset.
final class PositionPublisher: Service {
    private let client: MQTTClient
    private let interval: Duration
    private let shards: Int
    private let metrics: IngestMetrics
    private let logger: Logger
    private let pending = Mutex<[String: PositionBatch.Entry]>([:])

    init(client: MQTTClient, interval: Duration, shards: Int, metrics: IngestMetrics, logger: Logger) {
        self.client = client
        self.interval = interval
        self.shards = max(1, shards)
        self.metrics = metrics
        self.logger = logger
    }

    /// Records samples just stored; per vehicle the newest (device time, then sequence) is kept for the next flush.
    func record(_ samples: [ReceivedTelemetry]) {
        guard !samples.isEmpty else { return }
        pending.withLock { PositionBatch.Entry.keepNewest(samples.lazy.map { PositionBatch.Entry($0.telemetry) }, in: &$0) }
    }

    func run() async throws {
        await flushingPeriodically(every: interval) { await flush() }
    }

    /// Publishes everything recorded so far, in messages of at most ``FleetLimits/positionBatchEntries`` per shard.
    func flush() async {
        let entries = pending.withLock { pending in
            defer { pending.removeAll(keepingCapacity: true) }
            return Array(pending.values)
        }
        guard !entries.isEmpty else { return }
        let now = TimestampPolicy.millis(from: .now)
        let messages = VehicleShard.messages(
            entries, shards: shards, size: FleetLimits.positionBatchEntries.upperBound, vehicle: \.vehicleID.rawValue)
        for (shard, chunk) in messages {
            do {
                let payload = try FleetCodec.encode(PositionBatch(publishedAtMillis: now, positions: chunk), format: .binary)
                // QoS 0: each batch supersedes the last, and a publish never waits for a broker that is away.
                try await client.publish(payload, to: FleetTopics.positions(shard: shard), qos: .atMostOnce)
                metrics.positionBatchesPublished.increment()
            } catch {
                // Kept for the next flush unless a newer position arrived meanwhile.
                restore(chunk)
                logger.debug("Position batch not published", metadata: ["error": "\(error)"])
            }
        }
    }

    private func restore(_ entries: [PositionBatch.Entry]) {
        pending.withLock { PositionBatch.Entry.keepNewest(entries, in: &$0) }
    }
}
