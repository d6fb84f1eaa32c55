import FleetService
import Foundation

/// Where plans, jams and vehicle conditions are kept.
protocol PlanRepository: Sendable {
    /// Stores a new plan with its request.
    func insert(_ plan: Plan, request: PlanRequest) async throws
    /// Replaces a plan's answer (status, routes, progress).
    func update(_ plan: Plan) async throws
    /// A plan by id.
    func plan(id: UUID) async throws -> Plan?
    /// The request a plan answered.
    func request(id: UUID) async throws -> PlanRequest?
    /// Plans queued or running (after a restart they are solved again).
    func pending() async throws -> [(Plan, PlanRequest)]
    /// Dispatched plans whose routes are not all done: progress is tracked for these.
    func active(since millis: Int64) async throws -> [Plan]
    /// Changes a plan under a row lock: `change` sees the stored plan and returns the new one (or nil to leave it).
    func modify(id: UUID, _ change: @Sendable (Plan) throws -> Plan?) async throws -> Plan?

    /// Records a jam that started; its event goes out in the same transaction. False if the segment already had one.
    func startJam(_ jam: JamRecord, event: OutboxMessage) async throws -> Bool
    /// Records that the jam on `edge` cleared; its event goes out in the same transaction. False if none was open.
    func clearJam(edge: Int, atMillis: Int64, reason: String, event: OutboxMessage) async throws -> Bool
    /// Jams not cleared.
    func openJams() async throws -> [JamRecord]

    /// Stores a vehicle's conditions (none: forgets it).
    func saveConditions(_ conditions: VehicleConditions, vehicle: String) async throws
    /// Every vehicle's stored conditions.
    func loadConditions() async throws -> [String: VehicleConditions]
}

/// A jam as stored.
struct JamRecord: Codable, Sendable, Hashable {
    var id: UUID
    var edge: Int
    var road: String?
    var lat: Double?
    var lon: Double?
    var speedKmh: Double
    var freeFlowKmh: Double
    var startedAtMillis: Int64

    enum CodingKeys: String, CodingKey {
        case id, edge, road, lat, lon
        case speedKmh = "speed_kmh"
        case freeFlowKmh = "free_flow_kmh"
        case startedAtMillis = "started_at_ms"
    }
}
