import FleetCore
import FleetGeo
import Synchronization

/// The fleet as fleet-routing sees it: each vehicle's latest position (from telemetry) and conditions (from fleet
/// events). Shared by the consumers (writers) and the planner (readers, through ``snapshot()``).
final class FleetView: Sendable {
    struct Position: Hashable, Sendable {
        var coordinate: GeoCoordinate
        var millis: Int64
    }

    /// A consistent copy for one plan.
    struct Snapshot: Sendable {
        var positions: [String: Position]
        var conditions: [String: VehicleConditions]
    }

    private let state = Mutex(Snapshot(positions: [:], conditions: [:]))

    /// Records a position unless an older sample arrives late.
    func record(_ vehicle: String, position: GeoCoordinate, millis: Int64) {
        state.withLock { state in
            if let known = state.positions[vehicle], known.millis > millis { return }
            state.positions[vehicle] = Position(coordinate: position, millis: millis)
        }
    }

    /// Applies `change` to `vehicle`'s conditions; returns them before and after. (Read here rather than through a
    /// snapshot: a snapshot shares the dictionaries, so the next position recorded would copy them all.)
    @discardableResult
    func updateConditions(
        _ vehicle: String, _ change: (inout VehicleConditions) -> Void
    ) -> (before: VehicleConditions, after: VehicleConditions) {
        state.withLock { state in
            let before = state.conditions[vehicle] ?? VehicleConditions()
            var conditions = before
            change(&conditions)
            state.conditions[vehicle] = conditions.isEmpty ? nil : conditions
            return (before, conditions)
        }
    }

    /// Replaces all conditions (at start-up, from the database).
    func seed(conditions: [String: VehicleConditions]) {
        state.withLock { $0.conditions = conditions }
    }

    func snapshot() -> Snapshot { state.withLock { $0 } }

    var vehicleCount: Int { state.withLock { $0.positions.count } }
}
