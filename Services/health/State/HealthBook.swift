import FleetCore
import FleetHealthRules
import Synchronization

/// The live state of every vehicle this replica hears from, behind one lock: the telemetry loop evaluates a sample
/// under it, the sweeps read and trim it. Vehicles with nothing active that go quiet are forgotten, and the count is
/// capped, so memory stays bounded when vehicles come and go (their record in the database stays).
final class HealthBook: Sendable {
    private struct State {
        var vehicles: [VehicleID: VehicleHealth] = [:]
        /// What each vehicle's last sample said since the last flush.
        var seen: [VehicleID: SeenVehicle] = [:]
    }

    private let state = Mutex(State())
    let rules: HealthRules

    init(rules: HealthRules) {
        self.rules = rules
    }

    /// Vehicles in memory.
    var count: Int { state.withLock { $0.vehicles.count } }

    /// Evaluates one validated sample; returns the transitions to record.
    func observe(_ sample: Telemetry, receivedMillis: Int64) -> [HealthTransition] {
        state.withLock { state in
            let id = sample.vehicleID
            let transitions = state.vehicles[id, default: VehicleHealth(vehicleID: id)].observe(sample, receivedMillis: receivedMillis, rules: rules)
            var seen = SeenVehicle(
                vehicleID: id.rawValue, lastSeenMillis: receivedMillis, status: sample.status.rawValue, batteryPercent: sample.batteryPercent,
                fuelPercent: sample.fuelPercent, engineTemperatureCelsius: sample.engineTemperatureCelsius)
            if sample.diagnostics != nil, let vehicle = state.vehicles[id] {
                seen.engine = vehicle.engineForecast
                seen.battery = vehicle.batteryEstimate
            }
            state.seen[id] = seen
            return transitions
        }
    }

    /// Evaluates one state message.
    func observe(state message: VehicleState, nowMillis: Int64) -> [HealthTransition] {
        state.withLock { state in
            state.vehicles[message.vehicleID, default: VehicleHealth(vehicleID: message.vehicleID)].observe(state: message, nowMillis: nowMillis)
        }
    }

    /// Takes what is recorded after a store transaction.
    func sync(_ applied: AppliedTransitions) {
        state.withLock { state in
            for (vehicle, active) in applied.active {
                state.vehicles[vehicle, default: VehicleHealth(vehicleID: vehicle)].replaceActive(active)
            }
        }
    }

    /// Seeds recorded conditions at start-up.
    func seed(_ rows: [(vehicleID: String, active: [HealthCondition: Int64], lastSeenMillis: Int64?)]) {
        state.withLock { state in
            for row in rows {
                guard let id = VehicleID(validating: row.vehicleID) else { continue }
                state.vehicles[id] = VehicleHealth(vehicleID: id, active: row.active, lastSeenMillis: row.lastSeenMillis ?? 0)
            }
        }
    }

    /// Takes the vehicles heard from since the last call.
    func takeSeen() -> [SeenVehicle] {
        state.withLock { state in
            defer { state.seen.removeAll(keepingCapacity: true) }
            return Array(state.seen.values)
        }
    }

    /// Puts back what could not be flushed (newer entries win).
    func restoreSeen(_ entries: [SeenVehicle]) {
        state.withLock { state in
            for entry in entries {
                guard let id = VehicleID(validating: entry.vehicleID) else { continue }
                if let newer = state.seen[id], newer.lastSeenMillis >= entry.lastSeenMillis { continue }
                state.seen[id] = entry
            }
        }
    }

    /// Forgets vehicles with nothing active that were last heard before `idleBeforeMillis`, then the longest-unheard
    /// of those with nothing active until at most `maxVehicles` remain. Returns how many were forgotten.
    func forget(idleBeforeMillis: Int64, maxVehicles: Int) -> Int {
        state.withLock { state in
            let before = state.vehicles.count
            state.vehicles = state.vehicles.filter { !($0.value.active.isEmpty && $0.value.lastSeenMillis < idleBeforeMillis) }
            if state.vehicles.count > maxVehicles {
                let excess = state.vehicles.count - maxVehicles
                let quiet = state.vehicles.values.filter(\.active.isEmpty).sorted { $0.lastSeenMillis < $1.lastSeenMillis }.prefix(excess)
                for vehicle in quiet { state.vehicles[vehicle.vehicleID] = nil }
            }
            return before - state.vehicles.count
        }
    }

    /// A copy of one vehicle's state.
    func vehicle(_ id: VehicleID) -> VehicleHealth? { state.withLock { $0.vehicles[id] } }
}
