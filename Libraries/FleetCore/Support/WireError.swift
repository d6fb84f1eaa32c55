/// Why a payload could not be decoded (or a value could not be encoded).
///
/// Decoders never return a partially valid value: they return a fully validated message or throw this.
public struct WireError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Broad category, stable for metrics and dead-letter routing.
    public enum Kind: String, Hashable, Sendable, CaseIterable {
        /// Not well-formed: bad JSON syntax, invalid UTF-8, bad varint, bad bitmap bits.
        case malformed
        /// The payload exceeds the configured size limit.
        case tooLarge
        /// JSON nesting exceeds the configured depth limit.
        case tooDeep
        /// The payload ends before the message does.
        case truncated
        /// Bytes follow a complete message.
        case trailingData
        /// Neither JSON nor FleetCore binary (content sniffing failed).
        case unknownFormat
        /// A version other than ``FleetLimits/wireVersion``.
        case unsupportedVersion
        /// A binary message-type byte FleetCore does not know.
        case unknownMessageType
        /// A valid message of a different type than the one requested.
        case wrongMessageType
        /// A required field is absent.
        case missingField
        /// A field has the wrong JSON type (or a number where an integer is required).
        case typeMismatch
        /// A field is well-typed but fails validation (range, length, pattern, cross-field rule).
        case invalidValue
    }

    /// Category of the failure.
    public var kind: Kind
    /// JSON path of the offending field (`position.lat`, `fault_codes[2]`); empty for document-level errors.
    public var field: String
    /// Human-readable explanation.
    public var reason: String
    /// Byte offset into the payload where the problem was detected, when known.
    public var offset: Int?

    /// Creates a wire error.
    public init(_ kind: Kind, field: String = "", reason: String, offset: Int? = nil) {
        self.kind = kind
        self.field = field
        self.reason = reason
        self.offset = offset
    }

    /// Wraps a validation failure as an ``Kind/invalidValue`` wire error.
    public init(_ validation: ValidationError) {
        self.init(.invalidValue, field: validation.field, reason: validation.reason)
    }

    /// `kind at field: reason (offset n)`.
    public var description: String {
        var text = kind.rawValue
        if !field.isEmpty { text += " at \(field)" }
        text += ": \(reason)"
        if let offset { text += " (byte \(offset))" }
        return text
    }
}
