import CoreMetrics
import Foundation
import FleetCore
import FleetService
import Logging
import ServiceLifecycle

/// Periodic upkeep (``services()``), safe to run on every replica: daily partitions ahead and the retention drop,
/// geofence reloads, sequence gaps that outlived the gap timeout, and the fleet freshness gauge.
struct MaintenanceService<Repository: TrackingRepository & ArchiveRepository>: Sendable {
    let repository: Repository
    let configuration: TrackingConfiguration
    /// Archives expired days before their partitions go; nil when no object store is configured.
    let archiver: TelemetryArchiver<Repository>?
    let geofences: GeofenceCache
    let commits: CommitPublisher
    let relay: OutboxRelay
    let metrics: IngestMetrics
    let logger: Logger

    static var dayMillis: Int64 { 86_400_000 }

    /// Creates the partitions for the whole accepted device-time window (at start-up; archiving waits for the loop).
    func ensurePartitions(nowMillis: Int64) async throws {
        let retention = Int64(configuration.retentionDays) * Self.dayMillis
        _ = try await repository.ensurePartitions(fromMillis: nowMillis - retention, toMillis: nowMillis + 2 * Self.dayMillis)
    }

    /// Creates partitions for the whole accepted device-time window; archives expired ones and drops them once their
    /// archive is verified (without an archive configured, drops them outright).
    func maintainPartitions(nowMillis: Int64) async throws {
        let retention = Int64(configuration.retentionDays) * Self.dayMillis
        let created = try await repository.ensurePartitions(fromMillis: nowMillis - retention, toMillis: nowMillis + 2 * Self.dayMillis)
        var dropped: [String] = []
        if let archiver {
            let outcomes = try await archiver.archiveExpired(nowMillis: nowMillis, retentionDays: configuration.retentionDays)
            dropped = outcomes.filter(\.dropped).map(\.day)
        } else {
            for day in try await repository.expiredPartitionDays(endingBefore: nowMillis - retention) {
                try await repository.dropPartitionUnarchived(day)
                dropped.append(day.iso)
            }
            if !dropped.isEmpty {
                logger.warning(
                    "Expired telemetry dropped without an archive (FLEET_ARCHIVE_S3_ENDPOINT is not set)", metadata: ["days": "\(dropped)"])
            }
        }
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
