import FleetService
import FleetGeo
import CoreMetrics
import FleetCore
import Foundation
import Logging
import NIOPosix

/// Runs optimisation requests: small ones answered in the request, large ones (or `"async": true`) stored as queued
/// and solved by ``PlanJobs``. The solver is CPU-bound, so it runs on NIO's blocking thread pool, never on the
/// concurrency pool that serves requests.
struct PlanService: Sendable {
    let planner: Planner
    let repository: any PlanRepository
    let fleet: FleetView
    let network: RoadNetwork
    let limits: PlanningLimits
    let metrics: RoutingMetrics
    let logger: Logger

    /// Whether `request` is solved in a job rather than in the request.
    func isAsynchronous(_ request: PlanRequest) -> Bool {
        let limit = request.options?.timeLimitMillis ?? limits.defaultTimeLimitMillis
        return request.options?.async ?? false || limit > limits.syncMaxTimeLimitMillis
    }

    /// Solves `request` now and stores the answer (`replacing`: the plan whose remainder this re-optimises).
    func solveNow(_ request: PlanRequest, replacing: String? = nil) async throws -> Plan {
        let now = TimestampPolicy.millis(from: .now)
        var plan = try await solve(request, id: UUID().uuidString.lowercased(), createdAtMillis: now)
        plan.replaces = replacing
        try await repository.insert(plan, request: request)
        metrics.recordPlan(plan, mode: "sync")
        return plan
    }

    /// Stores `request` as a queued plan.
    func enqueue(_ request: PlanRequest) async throws -> Plan {
        let plan = Plan(id: UUID().uuidString.lowercased(), status: .queued, createdAtMillis: TimestampPolicy.millis(from: .now))
        try await repository.insert(plan, request: request)
        return plan
    }

    /// Solves a stored, queued plan and stores the answer.
    func run(_ queued: Plan, request: PlanRequest) async {
        var running = queued
        running.status = .running
        do {
            try await repository.update(running)
            let plan = try await solve(request, id: queued.id, createdAtMillis: queued.createdAtMillis)
            try await repository.update(plan)
            metrics.recordPlan(plan, mode: "async")
        } catch {
            running.status = .failed
            running.error = "\(error)"
            running.finishedAtMillis = TimestampPolicy.millis(from: .now)
            try? await repository.update(running)
            metrics.plans.increment("async", "failed")
            logger.error("Plan failed", metadata: ["plan.id": "\(queued.id)", "error": "\(error)"])
        }
    }

    private func solve(_ request: PlanRequest, id: String, createdAtMillis: Int64) async throws -> Plan {
        let planner = planner
        let snapshot = fleet.snapshot()
        let trafficAt = network.refreshedMillis
        let started = ContinuousClock.now
        var plan = try await NIOThreadPool.singleton.runIfActive {
            planner.plan(
                request, id: id, fleet: snapshot, createdAtMillis: createdAtMillis, nowMillis: TimestampPolicy.millis(from: .now),
                trafficAtMillis: trafficAt == 0 ? nil : trafficAt)
        }
        metrics.solveSeconds.recordNanoseconds((ContinuousClock.now - started).nanoseconds)
        plan.finishedAtMillis = TimestampPolicy.millis(from: .now)
        return plan
    }
}

extension Duration {
    var nanoseconds: Int64 { components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000 }
}
