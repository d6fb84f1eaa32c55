import FleetCore
import FleetService
import Synchronization

/// A ``VehicleRepository`` that answers connectivity look-ups from memory, so creating a command does not read the
/// vehicle table.
///
/// Vehicles change connectivity only through ``upsert(_:)`` (the dispatcher's state loop, fed by the retained state
/// topics every replica subscribes to), which writes the new value here after the database. A look-up that misses reads
/// the database and fills in only what ``upsert(_:)`` has not written meanwhile, so a slow read never overwrites a newer
/// state. Vehicles are never deleted, so an entry never goes stale; one entry per known vehicle.
final class CachedVehicleRepository<Base: VehicleRepository>: VehicleRepository {
    let base: Base
    private let known = Mutex<[String: Connectivity]>([:])

    init(_ base: Base) {
        self.base = base
    }

    func upsert(_ state: VehicleState) async throws -> Connectivity? {
        let previous = try await base.upsert(state)
        known.withLock { $0[state.vehicleID.rawValue] = state.connectivity }
        return previous
    }

    func connectivity(of ids: [String]) async throws -> [String: Connectivity] {
        var found: [String: Connectivity] = [:]
        var missing: [String] = []
        known.withLock { known in
            for id in ids {
                if let connectivity = known[id] { found[id] = connectivity } else { missing.append(id) }
            }
        }
        guard !missing.isEmpty else { return found }
        let read = try await base.connectivity(of: missing)
        known.withLock { known in
            for (id, connectivity) in read where known[id] == nil { known[id] = connectivity }
        }
        return found.merging(read) { cached, _ in cached }
    }

    func vehicle(_ id: String) async throws -> VehicleRecord? { try await base.vehicle(id) }

    func list(tag: String?, connectivity: Connectivity?, after: String?, limit: Int) async throws -> [VehicleRecord] {
        try await base.list(tag: tag, connectivity: connectivity, after: after, limit: limit)
    }

    func select(tag: String?, limit: Int) async throws -> [String: Connectivity] { try await base.select(tag: tag, limit: limit) }

    func addTag(_ tag: String, to vehicle: String, audit: AuditEntry) async throws -> Bool? { try await base.addTag(tag, to: vehicle, audit: audit) }

    func removeTag(_ tag: String, from vehicle: String, audit: AuditEntry) async throws -> Bool? {
        try await base.removeTag(tag, from: vehicle, audit: audit)
    }

    func tags() async throws -> [(tag: String, vehicles: Int)] { try await base.tags() }
}
