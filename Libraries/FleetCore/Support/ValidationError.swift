/// A value that is impossible or out of range.
///
/// `field` is the wire (JSON) path of the offending value, e.g. `position.lat` or `fault_codes[3]`,
/// so decoding errors and validation errors name fields the same way.
public struct ValidationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// JSON path of the offending field.
    public var field: String
    /// Human-readable explanation, e.g. `must be within -90.0...90.0 (got 91.0)`.
    public var reason: String

    /// Creates a validation error for `field`.
    public init(field: String, reason: String) {
        self.field = field
        self.reason = reason
    }

    /// `field: reason`.
    public var description: String { "\(field): \(reason)" }

    /// The same error with `prefix.` prepended to the field path (used for nested values).
    func nested(under prefix: String) -> ValidationError {
        ValidationError(field: prefix.isEmpty ? field : "\(prefix).\(field)", reason: reason)
    }
}
