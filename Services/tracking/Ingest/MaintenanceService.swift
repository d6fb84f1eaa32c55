import CoreMetrics
import Foundation
import FleetCore
import FleetService
import Logging
import ServiceLifecycle

/// Periodic upkeep (``services()``), safe to run on every replica: daily partitions ahead and the retention drop,
/// geofence reloads, sequence gaps that outlived the gap timeout, and the fleet freshness gauge.
struct MaintenanceService<Repository: TrackingRepository>: Sendable {
    let repository: Repository
    let configuration: TrackingConfiguration
    let geofences: GeofenceCache
    let commits: CommitPublisher
    let relay: OutboxRelay
    let metrics: IngestMetrics
    let logger: Logger

    static var dayMillis: Int64 { 86_400_000 }

    /// Creates partitions for the whole accepted device-time window and drops expired ones.
    func maintainPartitions(nowMillis: Int64) async throws {
        let retention = Int64(configuration.retentionDays) * Self.dayMillis
        let created = try await repository.ensurePartitions(fromMillis: nowMillis - retention, toMillis: nowMillis + 2 * Self.dayMillis)
        let dropped = try await repository.dropPartitions(endingBeforeMillis: nowMillis - retention)
        if !created.isEmpty || !dropped.isEmpty {
            logger.info("Telemetry partitions maintained", metadata: ["created": "\(created.count)", "dropped": "\(dropped)"])
        }
    }

    /// Moves watermarks past gaps older than the timeout and tells the vehicles (the gap events were written to the
    /// outbox with the new watermarks).
    func sweepGaps() async throws {
        let skipped = try await repository.skipStaleGaps(olderThanSeconds: configuration.gapTimeoutSeconds)
        guard !skipped.isEmpty else { return }
        metrics.gapsSkipped.increment(by: skipped.count)
        commits.record(Dictionary(skipped.map { ($0.vehicleID, $0.committed) }, uniquingKeysWith: max))
        relay.notify()
        logger.warning("Sequence gaps skipped after timeout", metadata: ["vehicles": "\(skipped.count)"])
    }

    /// Gaps, then the fleet freshness gauge.
    func sweepGapsAndFreshness() async throws {
        try await sweepGaps()
        let summary = try await repository.summary(nowMillis: TimestampPolicy.millis(from: .now))
        metrics.stalestOnline.record(summary.stalestOnlineSeconds ?? 0)
    }

    /// The upkeep loops, each a `PeriodicService`: partitions every 5 minutes, geofences every 500 ms, gaps and
    /// freshness every 5 s.
    func services() -> [any Service] {
        [
            PeriodicService(name: "Partition upkeep", interval: .seconds(300), runsImmediately: false, logger: logger) {
                try await maintainPartitions(nowMillis: TimestampPolicy.millis(from: .now))
            },
            PeriodicService(name: "Geofence refresh", interval: .milliseconds(500), logger: logger) {
                try await geofences.refresh(from: repository)
            },
            PeriodicService(name: "Gap sweep", interval: .seconds(5), logger: logger) {
                try await sweepGapsAndFreshness()
            },
        ]
    }
}
