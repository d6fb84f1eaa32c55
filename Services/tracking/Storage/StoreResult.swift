/// What one batch write did.
struct StoreResult: Sendable {
    /// Rows newly stored.
    var inserted = 0
    /// Rows that were already stored (replays).
    var duplicates = 0
    /// Samples (indices into the ones given to the writer) stored by this batch.
    var storedSamples: [Int] = []
    /// Samples (indices) whose sequence was already stored although they are newer than the vehicle's latest sample
    /// (``FleetCore/RejectionReason/sequenceReused``): not stored, to be dead-lettered.
    var reusedSequences: [Int] = []
    /// The highest contiguous committed sequence of every vehicle in the batch.
    var committed: [String: Int64] = [:]
    /// Latest-state changes, from which fleet events are derived.
    var transitions: [VehicleTransition] = []
    /// Fleet events the transitions decided, written to the outbox in the same transaction.
    var events = 0
}

/// How one vehicle's latest state changed in a batch (old values are from before the batch).
struct VehicleTransition: Sendable, Equatable {
    var vehicleID: String
    var deviceTimeMillis: Int64
    var latitude: Double
    var longitude: Double
    var speedMetersPerSecond: Double
    var speedLimitMetersPerSecond: Double
    /// False when this is the first position tracking has for the vehicle.
    var hadPrevious: Bool
    var wasMoving: Bool
    var isMoving: Bool
    var wasOverspeed: Bool
    var isOverspeed: Bool
    var previousGeofences: [String]
    var geofences: [String]
}
