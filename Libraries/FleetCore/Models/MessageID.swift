public import Foundation

/// A validated message identifier (commands, events, alerts, alert rules): 1–64 characters from `[A-Za-z0-9._-]`.
///
/// Lower-case UUID strings (``random()``) are the usual choice, but any token in the alphabet is accepted.
public struct MessageID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The identifier text.
    public let rawValue: String

    /// Validates `rawValue`.
    /// - Throws: ``ValidationError`` with field `id` if it is empty, longer than 64 or uses other characters.
    public init(_ rawValue: String) throws(ValidationError) {
        try Check.token(rawValue, length: FleetLimits.identifierLength, "id")
        self.rawValue = rawValue
    }

    /// Validates `rawValue`, returning `nil` if it is not a valid identifier.
    public init?(validating rawValue: String) {
        guard (try? Check.token(rawValue, length: FleetLimits.identifierLength, "id")) != nil else { return nil }
        self.rawValue = rawValue
    }

    /// Wraps a UUID as its lower-case string form.
    public init(_ uuid: UUID) {
        rawValue = uuid.uuidString.lowercased()
    }

    /// A new random (version 4 UUID) identifier.
    public static func random() -> MessageID { MessageID(UUID()) }

    /// The identifier text.
    public var description: String { rawValue }

    /// Orders identifiers by their text.
    public static func < (lhs: MessageID, rhs: MessageID) -> Bool { lhs.rawValue < rhs.rawValue }
}
