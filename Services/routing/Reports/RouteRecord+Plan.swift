import FleetReports

extension RouteRecord {
    /// A plan's record: its routes (one per vehicle used), its planned stops, and from the progress the vehicles
    /// reported (``ProgressTracker``: each stop's `reached_at_ms`) the stops served, on time and late.
    ///
    /// Vehicles report a stop when its service is done, not when they arrive, so a served stop's service start is taken
    /// as the reported time less the stop's planned service time (`departure_ms − service_start_ms`). It is on time when
    /// that start lies within the stop's time window (a stop without a window is always on time) and late when it is
    /// after the window closed. A stop served before its window opened is neither, so `served` can exceed
    /// `onTime + late`.
    init(planID: String, createdMillis: Int64, vehicles: Int, stops: [Plan.PlannedStop]) {
        var served = 0
        var onTime = 0
        var late = 0
        for stop in stops {
            guard let reached = stop.reachedAtMillis else { continue }
            served += 1
            let began = reached - max(0, stop.departureMillis - stop.serviceStartMillis)
            if let end = stop.windowEndMillis, began > end {
                late += 1
            } else if stop.windowStartMillis.map({ began >= $0 }) ?? true {
                onTime += 1
            }
        }
        self.init(id: planID, createdMillis: createdMillis, vehicles: vehicles, stops: stops.count, served: served, onTime: onTime, late: late)
    }
}
