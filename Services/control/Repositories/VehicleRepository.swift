import FleetCore
import FleetService

/// Vehicles learnt from their retained state, and the tags the control plane manages.
protocol VehicleRepository: Sendable {
    /// Stores a reported state. - Returns: the previous connectivity (`nil` for a vehicle seen for the first time).
    func upsert(_ state: VehicleState) async throws -> Connectivity?
    /// One vehicle with its tags and desired state.
    func vehicle(_ id: String) async throws -> VehicleRecord?
    /// Vehicles ordered by id, after `after` (paging), optionally filtered.
    func list(tag: String?, connectivity: Connectivity?, after: String?, limit: Int) async throws -> [VehicleRecord]
    /// The connectivity of each known id among `ids`.
    func connectivity(of ids: [String]) async throws -> [String: Connectivity]
    /// Ids and connectivity of vehicles carrying `tag`, or of every vehicle when `tag` is `nil`, at most `limit`.
    func select(tag: String?, limit: Int) async throws -> [String: Connectivity]
    /// Adds a tag (audited). - Returns: `nil` for an unknown vehicle, else whether the tag was new.
    func addTag(_ tag: String, to vehicle: String, audit: AuditEntry) async throws -> Bool?
    /// Removes a tag (audited). - Returns: `nil` for an unknown vehicle, else whether the tag existed.
    func removeTag(_ tag: String, from vehicle: String, audit: AuditEntry) async throws -> Bool?
    /// Every tag with its number of vehicles.
    func tags() async throws -> [(tag: String, vehicles: Int)]
}
