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
/// QoS 0 is enough: a lost acknowledgement only makes the vehicle resend, and a resend is idempotent.
final class CommitPublisher: Service {
    private let client: MQTTClient
    /// How often due acknowledgements are looked for.
    let tick: Duration
    private let metrics: IngestMetrics
    private let logger: Logger
    private let schedule: Mutex<CommitSchedule>

    init(client: MQTTClient, interval: Duration, metrics: IngestMetrics, logger: Logger) {
        self.client = client
        self.tick = min(interval, .milliseconds(20))
        self.metrics = metrics
        self.logger = logger
        self.schedule = Mutex(CommitSchedule(interval: interval))
    }

    /// Records watermarks to publish (the highest value per vehicle wins).
    func record(_ committed: [String: Int64]) {
        guard !committed.isEmpty else { return }
        schedule.withLock { $0.record(committed) }
    }

    func run() async throws {
        await flushingPeriodically(every: tick) { await flush() }
        await flush(all: true)
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
