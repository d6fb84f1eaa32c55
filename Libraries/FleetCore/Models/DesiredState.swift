public import Foundation

/// What the operators want a vehicle to be doing, published retained on `fleet/v1/vehicles/{id}/desired`.
///
/// The vehicle converges to it on (re)connect; `revision` increases with every change so stale
/// copies can be recognised.
public struct DesiredState: Hashable, Sendable {
    /// The vehicle. Wire name `vehicle_id` (omitted when nested in ``VehicleState``).
    public var vehicleID: VehicleID
    /// Monotonic revision, incremented on every change. Wire name `revision`.
    public var revision: UInt64
    /// Whether the vehicle should be paused. Wire name `paused`.
    public var paused: Bool
    /// Speed limit in m/s, if one is imposed (within ``FleetLimits/speedLimitMetersPerSecond``). Wire name `speed_limit_mps`.
    public var speedLimitMetersPerSecond: Double?
    /// When this revision was decided, milliseconds since the Unix epoch. Wire name `updated_at_ms`.
    public var updatedAtMillis: Int64
    /// Why (free text, at most 256 characters). Wire name `reason`.
    public var reason: String?

    /// Creates a desired state (not validated until ``validate()``).
    public init(
        vehicleID: VehicleID, revision: UInt64, paused: Bool, speedLimitMetersPerSecond: Double? = nil,
        updatedAtMillis: Int64, reason: String? = nil
    ) {
        self.vehicleID = vehicleID
        self.revision = revision
        self.paused = paused
        self.speedLimitMetersPerSecond = speedLimitMetersPerSecond
        self.updatedAtMillis = updatedAtMillis
        self.reason = reason
    }

    /// ``updatedAtMillis`` as a `Date`.
    public var updatedAt: Date { TimestampPolicy.date(fromMillis: updatedAtMillis) }

    /// Checks the speed limit, timestamp and reason length.
    public func validate() throws(ValidationError) {
        if let speedLimitMetersPerSecond {
            try Check.range(speedLimitMetersPerSecond, FleetLimits.speedLimitMetersPerSecond, "speed_limit_mps")
        }
        try Check.timestamp(updatedAtMillis, "updated_at_ms")
        if let reason { try Check.text(reason, length: 0...FleetLimits.maxReasonLength, "reason") }
    }
}
