public import Foundation

/// Something noteworthy that happened, published on `fleet/v1/events/{type}`.
public struct FleetEvent: Hashable, Sendable {
    /// Unique event id. Wire name `id`.
    public var id: MessageID
    /// What happened. Wire name `type`.
    public var type: FleetEventType
    /// How important it is. Wire name `severity`.
    public var severity: Severity
    /// The vehicle concerned, if any. Wire name `vehicle_id`.
    public var vehicleID: VehicleID?
    /// When it happened, milliseconds since the Unix epoch. Wire name `time_ms`.
    public var timeMillis: Int64
    /// Extra details: at most 32 entries, keys `[a-z0-9._-]{1,64}`, values at most 256 characters.
    /// Wire name `attributes` (always present, possibly `{}`).
    public var attributes: [String: String]

    /// Creates an event (not validated until ``validate()``).
    public init(
        id: MessageID, type: FleetEventType, severity: Severity, vehicleID: VehicleID? = nil, timeMillis: Int64,
        attributes: [String: String] = [:]
    ) {
        self.id = id
        self.type = type
        self.severity = severity
        self.vehicleID = vehicleID
        self.timeMillis = timeMillis
        self.attributes = attributes
    }

    /// ``timeMillis`` as a `Date`.
    public var time: Date { TimestampPolicy.date(fromMillis: timeMillis) }

    /// Checks the timestamp and the attribute count, keys and values.
    public func validate() throws(ValidationError) {
        try Check.timestamp(timeMillis, "time_ms")
        guard attributes.count <= FleetLimits.maxAttributes else {
            throw ValidationError(
                field: "attributes", reason: "at most \(FleetLimits.maxAttributes) entries allowed (got \(attributes.count))")
        }
        for (key, value) in attributes {
            do throws(ValidationError) {
                try Check.token(key, length: FleetLimits.attributeKeyLength, lowercaseOnly: true, "attributes")
            } catch {
                throw ValidationError(field: "attributes", reason: "key \"\(key)\" \(error.reason)")
            }
            try Check.text(value, length: 0...FleetLimits.maxAttributeValueLength, "attributes.\(key)")
        }
    }
}
