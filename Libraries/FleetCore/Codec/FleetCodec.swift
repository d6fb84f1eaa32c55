/// The single entry point for encoding and decoding FleetCore messages.
///
/// ```swift
/// let bytes = try FleetCodec.encode(telemetry, format: .binary)
/// let back = try FleetCodec.decode(Telemetry.self, from: bytes)   // format sniffed
/// ```
/// Both directions validate: encoding an invalid value and decoding an invalid payload throw
/// ``WireError``; a successful decode always returns a fully valid value.
public enum FleetCodec {
    /// Validates and encodes `message`.
    /// - Throws: ``WireError`` of kind ``WireError/Kind/invalidValue`` if the message fails validation.
    public static func encode<M: WireMessage>(_ message: M, format: WireFormat = .json) throws(WireError) -> [UInt8] {
        guard let codable = message as? any WireCodable else {
            throw WireError(.unknownMessageType, reason: "\(M.self) has no FleetCore codec")
        }
        return try encodeValidated(codable, format: format)
    }

    private static func encodeValidated<C: WireCodable>(_ message: C, format: WireFormat) throws(WireError) -> [UInt8] {
        do throws(ValidationError) {
            try message.validate()
        } catch {
            throw WireError(error)
        }
        switch format {
        case .json:
            var writer = JSONWriter()
            message.writeJSON(to: &writer)
            return writer.bytes
        case .binary:
            var writer = BinaryWriter(kind: C.kind)
            message.writeBinary(to: &writer)
            return writer.bytes
        }
    }

    /// Decodes and validates a message of type `type`.
    /// - Parameters:
    ///   - format: The expected format, or `nil` to sniff it (``WireFormat/sniff(_:)``).
    ///   - limits: Size and depth limits, checked before parsing.
    /// - Throws: ``WireError`` naming the offending field; never returns a partially valid value.
    public static func decode<M: WireMessage>(
        _ type: M.Type, from bytes: some Collection<UInt8>, format: WireFormat? = nil, limits: WireLimits = .default
    ) throws(WireError) -> M {
        let contiguous: Result<M, WireError>? = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(WireError) -> M in
                try decode(type, from: UnsafeRawBufferPointer(buffer), format: format, limits: limits)
            }
        }
        if let contiguous { return try contiguous.get() }
        guard bytes.count <= limits.maxMessageBytes else { throw tooLarge(bytes.count, limits) }
        let copy = Array(bytes)
        return try copy.withUnsafeBytes { buffer in
            Result { () throws(WireError) -> M in try decode(type, from: buffer, format: format, limits: limits) }
        }.get()
    }

    /// Decodes and validates a message of type `type` from raw memory (no copy).
    public static func decode<M: WireMessage>(
        _ type: M.Type, from buffer: UnsafeRawBufferPointer, format: WireFormat? = nil, limits: WireLimits = .default
    ) throws(WireError) -> M {
        guard buffer.count <= limits.maxMessageBytes else { throw tooLarge(buffer.count, limits) }
        guard let codableType = type as? any WireCodable.Type else {
            throw WireError(.unknownMessageType, reason: "\(M.self) has no FleetCore codec")
        }
        let resolved: WireFormat
        if let format {
            resolved = format
        } else if let sniffed = WireFormat.sniff(buffer) {
            resolved = sniffed
        } else {
            throw WireError(.unknownFormat, reason: buffer.isEmpty ? "empty payload" : "payload is neither JSON nor FleetCore binary", offset: 0)
        }
        let value = try decodeCodable(codableType, from: buffer, format: resolved, limits: limits)
        guard let typed = value as? M else {
            throw WireError(.unknownMessageType, reason: "\(M.self) has no FleetCore codec")
        }
        return typed
    }

    private static func decodeCodable<C: WireCodable>(
        _ type: C.Type, from buffer: UnsafeRawBufferPointer, format: WireFormat, limits: WireLimits
    ) throws(WireError) -> C {
        let value: C
        switch format {
        case .json:
            let document = try JSONParser.parse(buffer, maxDepth: limits.maxJSONDepth)
            value = try C(json: try JSONFields.message(document))
        case .binary:
            var reader = BinaryReader(bytes: buffer)
            try reader.header(expecting: C.kind)
            value = try C(binary: &reader)
            try reader.finish()
        }
        do throws(ValidationError) {
            try value.validate()
        } catch {
            throw WireError(error)
        }
        return value
    }

    /// The message kind named by a binary payload's header, or `nil` if it is not a FleetCore binary message.
    public static func binaryMessageKind(of bytes: some Collection<UInt8>) -> MessageKind? {
        var iterator = bytes.makeIterator()
        guard iterator.next() == BinaryWriter.magic, iterator.next() == UInt8(FleetLimits.wireVersion),
            let code = iterator.next()
        else { return nil }
        return MessageKind(binaryTypeCode: code)
    }

    private static func tooLarge(_ count: Int, _ limits: WireLimits) -> WireError {
        WireError(.tooLarge, reason: "payload of \(count) bytes exceeds the limit of \(limits.maxMessageBytes)")
    }
}
