import CoreMetrics
import Foundation
import FleetCore
import Logging
import ServiceLifecycle

/// Periodic upkeep, safe to run on every replica: daily partitions ahead and the retention drop,
/// geofence reloads, sequence gaps that outlived the gap timeout, and the fleet freshness gauge.
struct MaintenanceService<Repository: TrackingRepository>: Service {
    let repository: Repository
    let configuration: TrackingConfiguration
    let geofences: GeofenceCache
    let commits: CommitPublisher
    let events: EventPublisher
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

    /// Moves watermarks past gaps older than the timeout and tells the vehicles.
    func sweepGaps() async throws {
        let skipped = try await repository.skipStaleGaps(olderThanSeconds: configuration.gapTimeoutSeconds)
        guard !skipped.isEmpty else { return }
        metrics.gapsSkipped.increment(by: skipped.count)
        commits.record(Dictionary(skipped.map { ($0.vehicleID, $0.committed) }, uniquingKeysWith: max))
        let now = TimestampPolicy.millis(from: .now)
        await events.publish(
            skipped.compactMap { gap in
                guard let vehicle = try? VehicleID(gap.vehicleID) else { return nil }
                return FleetEvent(
                    id: .random(), type: .sequenceGap, severity: .warning, vehicleID: vehicle, timeMillis: now,
                    attributes: ["missing_from": "\(gap.skippedFrom)", "committed": "\(gap.committed)"])
            })
        logger.warning("Sequence gaps skipped after timeout", metadata: ["vehicles": "\(skipped.count)"])
    }

    func run() async throws {
        var tick = 0
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let now = TimestampPolicy.millis(from: .now)
            do {
                if tick % 600 == 0 { try await maintainPartitions(nowMillis: now) }
                try await geofences.refresh(from: repository)
                if tick % 10 == 0 {
                    try await sweepGaps()
                    let summary = try await repository.summary(nowMillis: now)
                    metrics.stalestOnline.record(summary.stalestOnlineSeconds ?? 0)
                }
            } catch {
                logger.warning("Maintenance step failed", metadata: ["error": "\(String(reflecting: error))"])
            }
            tick += 1
            try? await Task.sleep(for: .milliseconds(500))
        }
    }
}
