import FleetService
import FleetGeo
import CoreMetrics
import FleetCore
import Foundation
import Logging
import Synchronization

/// Follows dispatched routes from the vehicles' own reports: each telemetry sample may carry the route it follows and
/// how many stops are done. A change is written to the plan (the stops' `reached_at_ms` and the route's
/// `completed_stops`); the unchanged common case costs one dictionary lookup, no database work.
final class ProgressTracker: Sendable {
    private let repository: any PlanRepository
    private let metrics: RoutingMetrics
    private let logger: Logger
    /// Last progress written, per vehicle.
    private let known = Mutex<[String: RouteProgress]>([:])

    init(repository: any PlanRepository, metrics: RoutingMetrics, logger: Logger) {
        self.repository = repository
        self.metrics = metrics
        self.logger = logger
    }

    func observe(_ telemetry: Telemetry) async {
        guard let progress = telemetry.route else { return }
        let vehicle = telemetry.vehicleID.rawValue
        let isNew = known.withLock { known in
            if let last = known[vehicle], last.routeID == progress.routeID, last.completedStops >= progress.completedStops {
                return false
            }
            known[vehicle] = progress
            return true
        }
        guard isNew, let planID = UUID(uuidString: progress.routeID) else { return }
        let at = telemetry.deviceTimeMillis
        do {
            let updated = try await repository.modify(id: planID) { plan in
                Self.applying(progress, of: vehicle, atMillis: at, to: plan)
            }
            if let updated, let route = updated.routes.first(where: { $0.vehicleID == vehicle }) {
                metrics.stopsReached.increment()
                logger.info(
                    "Route progress", metadata: ["plan.id": "\(planID)", "vehicle.id": "\(vehicle)", "completed": "\(route.completedStops)"])
            }
        } catch {
            _ = known.withLock { $0.removeValue(forKey: vehicle) }  // Try again with the next sample.
            metrics.storeFailures.increment("progress")
            logger.error("Could not record route progress", metadata: ["plan.id": "\(planID)", "error": "\(error)"])
        }
    }

    /// `plan` with `vehicle`'s route advanced to `progress` (nil when nothing changes).
    static func applying(_ progress: RouteProgress, of vehicle: String, atMillis millis: Int64, to plan: Plan) -> Plan? {
        guard let index = plan.routes.firstIndex(where: { $0.vehicleID == vehicle }) else { return nil }
        var plan = plan
        let done = min(progress.completedStops, plan.routes[index].stops.count)
        guard done > plan.routes[index].completedStops else { return nil }
        for stop in plan.routes[index].completedStops..<done { plan.routes[index].stops[stop].reachedAtMillis = millis }
        plan.routes[index].completedStops = done
        return plan
    }
}
