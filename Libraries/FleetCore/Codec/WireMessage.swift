/// A FleetCore message that ``FleetCodec`` can encode and decode in every ``WireFormat``.
///
/// Conforming types are the FleetCore models listed in ``MessageKind``; conformances declared
/// outside FleetCore are not supported by the codec (it throws ``WireError/Kind/unknownMessageType``).
public protocol WireMessage: Hashable, Sendable {
    /// Which message this type is.
    static var kind: MessageKind { get }
    /// Rejects impossible values; ``ValidationError/field`` is the JSON path.
    func validate() throws(ValidationError)
}

extension WireMessage {
    /// Encodes `self` (see ``FleetCodec/encode(_:format:)``).
    public func encoded(as format: WireFormat = .json) throws(WireError) -> [UInt8] {
        try FleetCodec.encode(self, format: format)
    }

    /// Decodes a message of this type (see ``FleetCodec``).
    public static func decode(
        from bytes: some Collection<UInt8>, format: WireFormat? = nil, limits: WireLimits = .default
    ) throws(WireError) -> Self {
        try FleetCodec.decode(Self.self, from: bytes, format: format, limits: limits)
    }
}

/// The codec hooks each FleetCore model implements (kept internal so the public API stays small).
protocol WireCodable: WireMessage {
    /// Writes the complete top-level JSON object, starting with `"v":1`.
    func writeJSON(to writer: inout JSONWriter)
    /// Reads the top-level object (version already checked). Validation happens in the caller.
    init(json fields: JSONFields) throws(WireError)
    /// Writes the body that follows the 3-byte binary header.
    func writeBinary(to writer: inout BinaryWriter)
    /// Reads the body that follows the header. Validation happens in the caller.
    init(binary reader: inout BinaryReader) throws(WireError)
}
