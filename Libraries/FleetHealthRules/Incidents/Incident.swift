public import FleetCore

/// A period a vehicle was down for one cause: open while the cause holds, closed with its duration when it ends.
public struct Incident: Sendable, Hashable {
    /// The incident's id.
    public var id: String
    /// The vehicle.
    public var vehicleID: VehicleID
    /// Why it was down.
    public var cause: IncidentCause
    /// Start, milliseconds since the epoch.
    public var startedMillis: Int64
    /// End, or nil while open.
    public var endedMillis: Int64?
    /// What started it (the fault codes, the silence threshold…).
    public var detail: String

    /// Creates an incident.
    public init(id: String, vehicleID: VehicleID, cause: IncidentCause, startedMillis: Int64, endedMillis: Int64? = nil, detail: String = "") {
        self.id = id
        self.vehicleID = vehicleID
        self.cause = cause
        self.startedMillis = startedMillis
        self.endedMillis = endedMillis
        self.detail = detail
    }

    /// Duration in milliseconds up to its end, or up to `nowMillis` while open.
    public func durationMillis(nowMillis: Int64) -> Int64 { max(0, (endedMillis ?? nowMillis) - startedMillis) }
}
