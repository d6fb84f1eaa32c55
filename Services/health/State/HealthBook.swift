import FleetCore
import FleetHealthRules
import Synchronization

/// The live state of every vehicle this replica hears from, behind one lock: the telemetry loop evaluates a sample
/// under it, the sweeps read and trim it. Vehicles with nothing active that go quiet are forgotten, and the count is
/// capped, so memory stays bounded when vehicles come and go (their record in the database stays).
final class HealthBook: Sendable {
    /// One vehicle's state, allocated on its own: the table then holds a pointer per slot, so its spare capacity and
    /// its copies while it grows cost 8 bytes a slot instead of a whole vehicle. Only touched under the book's lock.
    private final class Slot {
        var health: VehicleHealth
        init(_ health: VehicleHealth) { self.health = health }
    }

    private struct State {
        var vehicles: [VehicleID: Slot] = [:]

        /// The slot of `id`, created if new.
        mutating func slot(_ id: VehicleID) -> Slot {
            if let slot = vehicles[id] { return slot }
            let slot = Slot(VehicleHealth(vehicleID: id))
            vehicles[id] = slot
            return slot
        }
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
            let slot = state.slot(id)
            let transitions = slot.health.observe(sample, receivedMillis: receivedMillis, rules: rules)
            var seen = SeenVehicle(
                vehicleID: id.rawValue, lastSeenMillis: receivedMillis, status: sample.status.rawValue, batteryPercent: sample.batteryPercent,
                fuelPercent: sample.fuelPercent, engineTemperatureCelsius: sample.engineTemperatureCelsius)
            if sample.diagnostics != nil {
                seen.engine = slot.health.engineForecast
                seen.battery = slot.health.batteryEstimate
            }
            state.seen[id] = seen
            return transitions
        }
    }

    /// Evaluates one state message.
    func observe(state message: VehicleState, nowMillis: Int64) -> [HealthTransition] {
        state.withLock { state in
            state.slot(message.vehicleID).health.observe(state: message, nowMillis: nowMillis)
        }
    }

    /// Takes what is recorded after a store transaction.
    func sync(_ applied: AppliedTransitions) {
        state.withLock { state in
            for (vehicle, active) in applied.active {
                state.slot(vehicle).health.replaceActive(active)
            }
        }
    }

    /// Seeds recorded conditions at start-up.
    func seed(_ rows: [(vehicleID: String, active: [HealthCondition: Int64], lastSeenMillis: Int64?)]) {
        state.withLock { state in
            for row in rows {
                guard let id = VehicleID(validating: row.vehicleID) else { continue }
                state.vehicles[id] = Slot(VehicleHealth(vehicleID: id, active: row.active, lastSeenMillis: row.lastSeenMillis ?? 0))
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
            state.vehicles = state.vehicles.filter { !($0.value.health.active.isEmpty && $0.value.health.lastSeenMillis < idleBeforeMillis) }
            if state.vehicles.count > maxVehicles {
                let excess = state.vehicles.count - maxVehicles
                let quiet = state.vehicles.compactMap { $0.value.health.active.isEmpty ? ($0.value.health.lastSeenMillis, $0.key) : nil }
                    .sorted { $0.0 < $1.0 }.prefix(excess)
                for (_, id) in quiet { state.vehicles[id] = nil }
            }
            return before - state.vehicles.count
        }
    }

    /// A copy of one vehicle's state.
    func vehicle(_ id: VehicleID) -> VehicleHealth? { state.withLock { $0.vehicles[id]?.health } }
}
