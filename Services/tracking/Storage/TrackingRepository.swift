import FleetCore
import FleetService

/// Everything tracking stores and reads. Implemented on PostgreSQL by ``PostgresTrackingRepository``.
protocol TrackingRepository: Sendable {
    // Ingest
    /// Stores a batch in one transaction: telemetry rows, latest state, committed watermarks, and the fleet events its
    /// transitions decide (in the outbox).
    /// `register` are vehicles to auto-register first.
    func store(_ batch: TelemetryBatch, register: [String], defaultSpeedLimit: Double, movingThreshold: Double) async throws -> StoreResult
    /// Which of `vehicles` are registered.
    func registeredVehicles(among vehicles: [String]) async throws -> Set<String>
    /// Records rejected messages.
    func recordRejections(_ rejections: [Rejection]) async throws
    /// Records a connectivity report; returns true when it changes the stored connectivity (its `online`/`offline`
    /// event is then in the outbox).
    func updateConnectivity(vehicleID: String, online: Bool, lastSeenMillis: Int64, connection: UInt64?, receivedMillis: Int64) async throws -> Bool

    // Vehicles
    func registerVehicle(_ registration: VehicleRegistration) async throws -> VehicleRecord
    func vehicles(_ query: VehicleQuery) async throws -> [VehicleRecord]
    func vehicle(_ id: String) async throws -> VehicleRecord?
    func positions(vehicleID: String, fromMillis: Int64, toMillis: Int64, limit: Int) async throws -> [PositionSample]
    func summary(nowMillis: Int64) async throws -> FleetSummary
    func deadLetters(limit: Int, reason: String?) async throws -> [DeadLetterRecord]

    // Geofences
    func geofences() async throws -> [Geofence]
    func geofencesVersion() async throws -> Int64
    func upsertGeofence(_ geofence: Geofence) async throws -> Bool
    func deleteGeofence(id: String) async throws -> Bool

    // Maintenance
    /// Creates the daily partitions covering `fromMillis...toMillis`; returns the names created.
    func ensurePartitions(fromMillis: Int64, toMillis: Int64) async throws -> [String]
    /// Moves watermarks past gaps older than `olderThanSeconds` (their `sequence_gap` events go to the outbox in the same
    /// transaction); returns (vehicle, skipped from, new watermark).
    func skipStaleGaps(olderThanSeconds: Int) async throws -> [(vehicleID: String, skippedFrom: Int64, committed: Int64)]
}

/// `POST /v1/vehicles` body.
struct VehicleRegistration: Sendable, Codable {
    var id: String
    var tags: [String]?
    var speedLimitKmh: Double?

    enum CodingKeys: String, CodingKey {
        case id, tags
        case speedLimitKmh = "speed_limit_kmh"
    }
}

/// Filters of `GET /v1/vehicles`.
struct VehicleQuery: Sendable {
    var status: String?
    var tag: String?
    var boundingBox: BoundingBox?
    var online: Bool?
    /// Keyset paging: ids strictly after this one.
    var after: String?
    var limit: Int = 100
}
