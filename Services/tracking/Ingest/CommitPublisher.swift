import CoreMetrics
import Foundation
import FleetCore
import FleetMQTT
import FleetService
import Logging
import ServiceLifecycle
import Synchronization

/// Publishes each vehicle's highest contiguous committed sequence, retained on
/// `fleet/v1/vehicles/{id}/telemetry/committed`, at most once per interval per vehicle.
///
/// The interval limits each vehicle, not the publisher: a vehicle whose last acknowledgement is older than the interval
/// gets the next one as soon as its batch commits (the publisher looks every ``tick``), so a vehicle reporting once a
/// second is acknowledged right after each commit, while one that reports faster still gets one acknowledgement per
/// interval. (A single fleet-wide timer made every acknowledgement wait half an interval on average.)
///
/// With `streamShards`, every tick it also publishes what was committed since the last tick, not rate-limited, as
/// ``CommitBatch`` messages on `fleet/v1/commits/{shard}` (the commit stream): a gateway holding many vehicles'
/// outboxes learns of a commit within a tick instead of up to an interval later, from a message per shard and tick
/// instead of one per vehicle.
///
/// QoS 0 is enough: a lost acknowledgement only makes the vehicle resend, and a resend is idempotent.
final class CommitPublisher: Service {
    private let client: MQTTClient
    /// How often due acknowledgements are looked for.
    let tick: Duration
    private let streamShards: Int?
    private let metrics: IngestMetrics
    private let logger: Logger
    private let schedule: Mutex<CommitSchedule>
    /// Committed since the last tick, for the commit stream (the highest value per vehicle wins).
    private let stream = Mutex<[String: Int64]>([:])

    /// - Parameter streamShards: shards of the commit stream (the position stream's hash), or `nil` for none.
    init(client: MQTTClient, interval: Duration, streamShards: Int?, metrics: IngestMetrics, logger: Logger) {
        self.client = client
        self.tick = min(interval, .milliseconds(20))
        self.streamShards = streamShards.map { max(1, $0) }
        self.metrics = metrics
        self.logger = logger
        self.schedule = Mutex(CommitSchedule(interval: interval))
    }

    /// Records watermarks to publish (the highest value per vehicle wins).
    func record(_ committed: [String: Int64]) {
        guard !committed.isEmpty else { return }
        schedule.withLock { $0.record(committed) }
        if streamShards != nil {
            stream.withLock { $0.merge(committed) { max($0, $1) } }
        }
    }

    func run() async throws {
        await flushingPeriodically(every: tick) {
            await flushStream()
            await flush()
        }
        await flushStream()
        await flush(all: true)
    }

    /// Publishes the commit stream: everything recorded since the last call, in ``CommitBatch`` messages of at most
    /// ``FleetLimits/commitBatchEntries`` per shard.
    func flushStream() async {
        guard let shards = streamShards else { return }
        let committed = stream.withLock { pending in
            defer { pending.removeAll(keepingCapacity: true) }
            return pending
        }
        guard !committed.isEmpty else { return }
        let entries = committed.compactMap { vehicle, sequence in
            sequence > 0 ? (try? VehicleID(vehicle)).map { CommitBatch.Entry(vehicleID: $0, sequence: UInt64(sequence)) } : nil
        }
        let millis = TimestampPolicy.millis(from: .now)
        let messages = VehicleShard.messages(
            entries, shards: shards, size: FleetLimits.commitBatchEntries.upperBound, vehicle: \.vehicleID.rawValue)
        for (shard, chunk) in messages {
            do {
                let payload = try FleetCodec.encode(CommitBatch(committedAtMillis: millis, commits: chunk), format: .binary)
                try await client.publish(payload, to: FleetTopics.commits(shard: shard), qos: .atMostOnce)
                metrics.commitBatchesPublished.increment()
            } catch {
                // Dropped, not retried: the per-vehicle acknowledgement still follows, and a later commit of the
                // vehicle supersedes this one.
                logger.debug("Commit batch not published", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Publishes the acknowledgements that are due (``CommitSchedule``), or, with `all`, everything recorded.
    func flush(all: Bool = false) async {
        let now = ContinuousClock.now
        let batch = schedule.withLock { $0.takeDue(at: now, all: all) }
        guard !batch.isEmpty else { return }
        let millis = TimestampPolicy.millis(from: .now)
        for (vehicle, sequence) in batch where sequence > 0 {
            guard let id = try? VehicleID(vehicle) else { continue }
            do {
                let commit = TelemetryCommit(vehicleID: id, sequence: UInt64(sequence), committedAtMillis: millis)
                try await client.publish(FleetCodec.encode(commit), to: VehicleChannel.telemetryCommitted.topic(for: id), qos: .atMostOnce, retain: true)
                metrics.commitsPublished.increment()
            } catch {
                // Put it back: a later flush retries.
                record([vehicle: sequence])
                logger.debug("Commit acknowledgement not published", metadata: ["error": "\(error)"])
            }
        }
    }
}
