/// A validated vehicle identifier: 1–64 characters from `[A-Za-z0-9._-]`.
///
/// The alphabet is safe in MQTT topic levels (no `/`, `+`, `#`), URLs and file names.
/// There is deliberately no `ExpressibleByStringLiteral` conformance: every instance is validated.
public struct VehicleID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The identifier text.
    public let rawValue: String

    /// Validates `rawValue`.
    /// - Throws: ``ValidationError`` with field `vehicle_id` if it is empty, longer than 64 or uses other characters.
    public init(_ rawValue: String) throws(ValidationError) {
        try Check.token(rawValue, length: FleetLimits.identifierLength, "vehicle_id")
        self.rawValue = rawValue
    }

    /// Validates `rawValue`, returning `nil` if it is not a valid vehicle identifier.
    public init?(validating rawValue: String) {
        guard VehicleID.isValid(rawValue) else { return nil }
        self.rawValue = rawValue
    }

    /// Whether `rawValue` is a valid vehicle identifier.
    public static func isValid(_ rawValue: String) -> Bool {
        (try? Check.token(rawValue, length: FleetLimits.identifierLength, "vehicle_id")) != nil
    }

    /// The identifier text.
    public var description: String { rawValue }

    /// Orders identifiers by their text.
    public static func < (lhs: VehicleID, rhs: VehicleID) -> Bool { lhs.rawValue < rhs.rawValue }
}
