/// The highest contiguous telemetry sequence number durably committed for a vehicle.
///
/// Published retained on `fleet/v1/vehicles/{id}/telemetry/committed` by the tracking service,
/// so a restarting consumer (or the vehicle, to trim its outbox) knows where to resume.
public struct TelemetryCommit: Hashable, Sendable {
    /// The vehicle. Wire name `vehicle_id`.
    public var vehicleID: VehicleID
    /// Every sample with `seq <= sequence` is committed. Wire name `seq`.
    public var sequence: UInt64
    /// When the commit happened, milliseconds since the Unix epoch. Wire name `committed_at_ms`.
    public var committedAtMillis: Int64

    /// Creates a commit marker.
    public init(vehicleID: VehicleID, sequence: UInt64, committedAtMillis: Int64) {
        self.vehicleID = vehicleID
        self.sequence = sequence
        self.committedAtMillis = committedAtMillis
    }

    /// Checks the timestamp range.
    public func validate() throws(ValidationError) {
        try Check.timestamp(committedAtMillis, "committed_at_ms")
    }
}
