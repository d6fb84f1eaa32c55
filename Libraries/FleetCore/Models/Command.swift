public import Foundation

/// An instruction to one vehicle, published on `fleet/v1/vehicles/{id}/commands` (QoS 1).
///
/// Vehicles must ignore (and acknowledge as `rejected`) commands received after `expires_at_ms`,
/// and treat a repeated `id` as a duplicate.
public struct Command: Hashable, Sendable {
    /// Unique command id, used for de-duplication and acknowledgement. Wire name `id`.
    public var id: MessageID
    /// The target vehicle. Wire name `vehicle_id`.
    public var vehicleID: VehicleID
    /// What to do. Wire names `action` (+ `speed_limit_mps` or `route`).
    public var action: CommandAction
    /// Why (free text, at most 256 characters). Wire name `reason`.
    public var reason: String?
    /// When it was issued, milliseconds since the Unix epoch. Wire name `issued_at_ms`.
    public var issuedAtMillis: Int64
    /// When it stops being valid, milliseconds since the Unix epoch; after `issued_at_ms`. Wire name `expires_at_ms`.
    public var expiresAtMillis: Int64

    /// Creates a command (not validated until ``validate()``).
    public init(
        id: MessageID, vehicleID: VehicleID, action: CommandAction, reason: String? = nil, issuedAtMillis: Int64,
        expiresAtMillis: Int64
    ) {
        self.id = id
        self.vehicleID = vehicleID
        self.action = action
        self.reason = reason
        self.issuedAtMillis = issuedAtMillis
        self.expiresAtMillis = expiresAtMillis
    }

    /// ``issuedAtMillis`` as a `Date`.
    public var issuedAt: Date { TimestampPolicy.date(fromMillis: issuedAtMillis) }
    /// ``expiresAtMillis`` as a `Date`.
    public var expiresAt: Date { TimestampPolicy.date(fromMillis: expiresAtMillis) }

    /// Whether the command has expired at `nowMillis` (milliseconds since the Unix epoch).
    public func isExpired(nowMillis: Int64) -> Bool { nowMillis >= expiresAtMillis }

    /// Whether the command has expired at `now`.
    public func isExpired(now: Date) -> Bool { isExpired(nowMillis: TimestampPolicy.millis(from: now)) }

    /// Checks the action parameter, timestamps (expiry strictly after issue) and reason length.
    public func validate() throws(ValidationError) {
        try action.validate()
        if let reason { try Check.text(reason, length: 0...FleetLimits.maxReasonLength, "reason") }
        try Check.timestamp(issuedAtMillis, "issued_at_ms")
        try Check.timestamp(expiresAtMillis, "expires_at_ms")
        guard expiresAtMillis > issuedAtMillis else {
            throw ValidationError(field: "expires_at_ms", reason: "must be after issued_at_ms (\(issuedAtMillis))")
        }
    }
}
