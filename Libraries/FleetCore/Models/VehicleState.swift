public import Foundation

/// A vehicle's connectivity, published retained on `fleet/v1/vehicles/{id}/state`.
///
/// Vehicles publish `online` on connect and register an `offline` copy as their MQTT last will
/// (whose `last_seen_ms` is therefore the connect time). Services may republish it enriched with
/// the current ``DesiredState``.
public struct VehicleState: Hashable, Sendable {
    /// The vehicle. Wire name `vehicle_id`.
    public var vehicleID: VehicleID
    /// Online or offline. Wire name `connectivity`.
    public var connectivity: Connectivity
    /// When the vehicle was last heard from, milliseconds since the Unix epoch. Wire name `last_seen_ms`.
    public var lastSeenMillis: Int64
    /// Last reported activity, if known. Wire name `status`.
    public var status: VehicleStatus?
    /// The current desired state, if any. Wire name `desired` (nested without `vehicle_id`).
    public var desired: DesiredState?
    /// Which of the vehicle's MQTT connections this state belongs to: a number that grows with every connection (the
    /// connect time in milliseconds will do), the same in the `online` state published on connect and in the `offline`
    /// last will registered with that connection. It orders a will against the states before it, which the device
    /// clock cannot: the will's `last_seen_ms` is the connect time, older than the connection's later states.
    /// Wire name `connection`; absent from devices that do not keep one (then `last_seen_ms` alone orders states).
    public var connection: UInt64?

    /// Creates a state (not validated until ``validate()``).
    public init(
        vehicleID: VehicleID, connectivity: Connectivity, lastSeenMillis: Int64, status: VehicleStatus? = nil,
        desired: DesiredState? = nil, connection: UInt64? = nil
    ) {
        self.vehicleID = vehicleID
        self.connectivity = connectivity
        self.lastSeenMillis = lastSeenMillis
        self.status = status
        self.desired = desired
        self.connection = connection
    }

    /// ``lastSeenMillis`` as a `Date`.
    public var lastSeen: Date { TimestampPolicy.date(fromMillis: lastSeenMillis) }

    /// Checks the timestamp and the nested desired state, which must be for the same vehicle.
    public func validate() throws(ValidationError) {
        try Check.timestamp(lastSeenMillis, "last_seen_ms")
        if let desired {
            guard desired.vehicleID == vehicleID else {
                throw ValidationError(field: "desired.vehicle_id", reason: "must equal vehicle_id \(vehicleID)")
            }
            do throws(ValidationError) { try desired.validate() } catch { throw error.nested(under: "desired") }
        }
    }
}
