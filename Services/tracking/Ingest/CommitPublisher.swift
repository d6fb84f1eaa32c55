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
/// QoS 0 is enough: a lost acknowledgement only makes the vehicle resend, and a resend is idempotent.
final class CommitPublisher: Service {
    private let client: MQTTClient
    private let interval: Duration
    private let metrics: IngestMetrics
    private let logger: Logger
    private let pending = Mutex<[String: Int64]>([:])

    init(client: MQTTClient, interval: Duration, metrics: IngestMetrics, logger: Logger) {
        self.client = client
        self.interval = interval
        self.metrics = metrics
        self.logger = logger
    }

    /// Records watermarks to publish with the next flush (the highest value per vehicle wins).
    func record(_ committed: [String: Int64]) {
        guard !committed.isEmpty else { return }
        pending.withLock { pending in
            pending.merge(committed) { max($0, $1) }
        }
    }

    func run() async throws {
        await flushingPeriodically(every: interval) { await flush() }
    }

    /// Publishes everything recorded so far.
    func flush() async {
        let batch = pending.withLock { pending in
            defer { pending.removeAll(keepingCapacity: true) }
            return pending
        }
        let now = TimestampPolicy.millis(from: .now)
        for (vehicle, sequence) in batch where sequence > 0 {
            guard let id = try? VehicleID(vehicle) else { continue }
            do {
                let commit = TelemetryCommit(vehicleID: id, sequence: UInt64(sequence), committedAtMillis: now)
                try await client.publish(FleetCodec.encode(commit), to: VehicleChannel.telemetryCommitted.topic(for: id), qos: .atMostOnce, retain: true)
                metrics.commitsPublished.increment()
            } catch {
                // Put it back: the next flush retries.
                record([vehicle: sequence])
                logger.debug("Commit acknowledgement not published", metadata: ["error": "\(error)"])
            }
        }
    }
}
