import CoreMetrics
import FleetCore
import FleetHealthRules
import FleetService
import Foundation
import Logging

/// The periodic work: flush last-seen times, decide silence (and its end) from the database, so replicas that each
/// hear part of a vehicle's stream agree; forget idle vehicles; refresh the gauges.
struct HealthSweep: Sendable {
    let repository: any HealthRepository
    let book: HealthBook
    let recorder: TransitionRecorder
    let configuration: HealthConfiguration
    let metrics: HealthMetrics
    let logger: Logger

    /// One pass.
    func run(nowMillis: Int64 = TimestampPolicy.millis(from: .now)) async throws {
        let seen = book.takeSeen()
        do {
            try await repository.flush(seen)
            try await repository.storeForecasts(seen)
        } catch {
            book.restoreSeen(seen)
            metrics.storeFailures.increment("flush")
            throw error
        }
        let thresholds = configuration.thresholds
        let quiet = try await repository.silenceCandidates(beforeMillis: nowMillis - thresholds.silentAfterMillis, limit: 5_000)
        let silences = quiet.compactMap { row -> HealthTransition? in
            guard let id = VehicleID(validating: row.vehicleID) else { return nil }
            return VehicleHealth(vehicleID: id, active: row.active).silence(nowMillis: nowMillis, lastSeenMillis: row.lastSeenMillis, thresholds: thresholds)
        }
        await recorder.record(silences, operation: "silence")
        let recovered = try await repository.recoveredFromSilence(limit: 5_000)
        let ends = recovered.compactMap { row -> HealthTransition? in
            guard let id = VehicleID(validating: row.vehicleID) else { return nil }
            return HealthTransition(
                vehicleID: id, condition: HealthCondition(.silent), change: .leave, timeMillis: row.lastSeenMillis, severity: .info,
                attributes: ["silent_since_ms": row.active[HealthCondition(.silent)].map(String.init) ?? ""])
        }
        await recorder.record(ends, operation: "silence")
        let forgotten = book.forget(idleBeforeMillis: nowMillis - configuration.forgetAfterMillis, maxVehicles: configuration.maxVehicles)
        if forgotten > 0 { metrics.forgotten.increment(by: forgotten) }
        metrics.vehicles.record(book.count)
    }

    /// Refreshes the fleet gauges: active conditions by kind, open incidents by cause, MTBF, MTTR and availability.
    func refreshStatistics(nowMillis: Int64 = TimestampPolicy.millis(from: .now)) async throws {
        let (rows, _) = try await repository.vehiclesWithConditions()
        var counts: [HealthCondition.Kind: Int] = [:]
        for row in rows { for condition in row.active.keys { counts[condition.kind, default: 0] += 1 } }
        for (kind, gauge) in metrics.activeConditions { gauge.record(counts[kind] ?? 0) }
        let open = try await repository.openIncidentCounts()
        for (cause, gauge) in metrics.openIncidents { gauge.record(open[cause] ?? 0) }
        let window = Int64(configuration.statsWindowDays) * 86_400_000
        let stats = try await repository.downtime(vehicleID: nil, fromMillis: nowMillis - window, toMillis: nowMillis)
        metrics.mtbf.record(stats.mtbfSeconds ?? 0)
        metrics.mttr.record(stats.mttrSeconds ?? 0)
        metrics.availability.record(stats.availability ?? 1)
        metrics.failures.record(stats.failures)
    }
}
