/// Why an OpenStreetMap extract could not be read.
///
/// Readers never return a partial extract: they return everything the file holds or throw this.
public struct OSMError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Broad category of the failure.
    public enum Kind: String, Hashable, Sendable, CaseIterable {
        /// The file could not be opened or read.
        case unreadable
        /// Neither PBF nor XML could be recognised (by extension or content).
        case unknownFormat
        /// The input ends in the middle of a structure.
        case truncated
        /// The bytes are not well-formed (bad protobuf wire data, bad XML syntax, bad numbers, missing attributes).
        case malformed
        /// A frame or block exceeds the limits of the PBF specification (64 KiB headers, 32 MiB blobs).
        case tooLarge
        /// Well-formed, but uses a feature this reader does not implement (LZMA/zstd blobs, history files).
        case unsupported
        /// A zlib-compressed blob failed to inflate to its declared size.
        case decompressionFailed
    }

    /// Category of the failure.
    public var kind: Kind
    /// Human-readable explanation.
    public var reason: String
    /// Byte offset (PBF) or line number (XML) where the problem was detected, when known.
    public var location: Int?

    /// Creates an error.
    public init(_ kind: Kind, reason: String, location: Int? = nil) {
        self.kind = kind
        self.reason = reason
        self.location = location
    }

    /// `kind: reason (at location)`.
    public var description: String {
        if let location {
            return "\(kind.rawValue): \(reason) (at \(location))"
        }
        return "\(kind.rawValue): \(reason)"
    }
}
