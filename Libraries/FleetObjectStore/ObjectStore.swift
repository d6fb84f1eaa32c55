/// Object storage as the archive and the reports use it: whole objects written once under a key, read whole or by byte
/// range, listed by prefix. ``S3ObjectStore`` implements it for any S3-compatible service.
public protocol ObjectStore: Sendable {
    /// Stores `body` under `key`, replacing an object of the same key. The store verifies the body against its SHA-256
    /// on arrival (a corrupted upload is refused, not stored).
    func put(_ key: String, body: [UInt8], contentType: String) async throws
    /// The object's bytes, or the bytes `range` (inclusive start, exclusive end) of it. Throws ``ObjectStoreError/notFound``.
    func get(_ key: String, range: Range<Int>?) async throws -> [UInt8]
    /// The object's size and entity tag, or nil when there is none.
    func head(_ key: String) async throws -> ObjectInfo?
    /// Every object whose key starts with `prefix`, in key order.
    func list(prefix: String) async throws -> [ObjectInfo]
    /// Removes the object; removing one that is not there is not an error.
    func delete(_ key: String) async throws
}

extension ObjectStore {
    /// The whole object.
    public func get(_ key: String) async throws -> [UInt8] { try await get(key, range: nil) }
}

/// What a listing or a `HEAD` tells about an object.
public struct ObjectInfo: Sendable, Hashable {
    public var key: String
    public var size: Int
    /// The store's entity tag, quotes removed (an MD5 for plain single-part uploads, opaque otherwise).
    public var etag: String?

    public init(key: String, size: Int, etag: String?) {
        self.key = key
        self.size = size
        self.etag = etag
    }
}

/// Why an object store call failed.
public enum ObjectStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No object under that key (HTTP 404, `NoSuchKey`).
    case notFound(key: String)
    /// The store answered with an error status: S3's error code and message when it sent them.
    case status(Int, code: String?, message: String?, operation: String)
    /// The store's answer could not be read.
    case malformedResponse(String)
    /// The configuration cannot work (bad endpoint, missing credentials…).
    case configuration(String)

    public var description: String {
        switch self {
        case .notFound(let key): "no object '\(key)'"
        case .status(let status, let code, let message, let operation):
            "\(operation) failed: HTTP \(status)\(code.map { " \($0)" } ?? "")\(message.map { ": \($0)" } ?? "")"
        case .malformedResponse(let detail): "malformed object store response: \(detail)"
        case .configuration(let detail): "object store configuration: \(detail)"
        }
    }
}
