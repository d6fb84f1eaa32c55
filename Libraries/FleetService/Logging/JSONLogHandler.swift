import Foundation
import Logging

/// A swift-log handler that writes one JSON object per line.
///
/// ```json
/// {"timestamp":"2025-05-01T12:00:00.123Z","level":"info","label":"telemetry","message":"started","metadata":{"http.port":"8080"},"source":"Telemetry"}
/// ```
///
/// - `timestamp`: ISO 8601, UTC, millisecond precision.
/// - `level`, `label`, `message`, `source`: as given by swift-log.
/// - `metadata`: handler metadata, then metadata-provider values, then call-site metadata
///   (later wins). Nested dictionaries are flattened with dotted keys
///   (`["http": ["status": "200"]]` becomes `"http.status"`); arrays stay JSON arrays.
///   Omitted when empty.
/// - `error`: the `error:` passed to the log call, if any.
/// - `file`: `File.swift:42`, only when `includeSourceLocation` is set.
///
/// Keys are written in a fixed order and metadata keys sorted, so output is deterministic.
public struct JSONLogHandler: LogHandler {
    /// The logger label.
    public let label: String
    /// Minimum level written.
    public var logLevel: Logger.Level
    /// Metadata attached to every line from this handler.
    public var metadata: Logger.Metadata = [:]
    /// Contributes task-local metadata (for example request IDs) to every line.
    public var metadataProvider: Logger.MetadataProvider?

    private let includeSourceLocation: Bool
    private let output: LogOutput

    /// Creates a handler.
    ///
    /// - Parameters:
    ///   - label: The logger label.
    ///   - logLevel: Minimum level written.
    ///   - includeSourceLocation: Adds `"file":"File.swift:42"` to each line.
    ///   - metadataProvider: Optional provider of contextual metadata.
    ///   - output: Where lines go; ``LogOutput/standardOutput`` unless testing.
    public init(
        label: String,
        logLevel: Logger.Level = .info,
        includeSourceLocation: Bool = false,
        metadataProvider: Logger.MetadataProvider? = nil,
        output: LogOutput = .standardOutput
    ) {
        self.label = label
        self.logLevel = logLevel
        self.includeSourceLocation = includeSourceLocation
        self.metadataProvider = metadataProvider
        self.output = output
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() {
            merged.merge(provided) { _, new in new }
        }
        if let explicit = event.metadata {
            merged.merge(explicit) { _, new in new }
        }

        var json = JSONLineWriter()
        json.beginObject()
        json.field("timestamp", Date().formatted(Self.timestampStyle))
        json.field("level", event.level.rawValue)
        json.field("label", label)
        json.field("message", event.message.description)
        if !merged.isEmpty {
            json.key("metadata")
            json.beginObject()
            var flattened: [(key: String, value: Logger.Metadata.Value)] = []
            Self.flatten(merged, prefix: "", into: &flattened)
            for (key, value) in flattened.sorted(by: { $0.key < $1.key }) {
                json.key(key)
                Self.write(value, to: &json)
            }
            json.endObject()
        }
        if let error = event.error {
            json.field("error", String(describing: error))
        }
        json.field("source", event.source)
        if includeSourceLocation {
            let fileName = event.file.split(separator: "/").last.map(String.init) ?? event.file
            json.field("file", "\(fileName):\(event.line)")
        }
        json.endObject()
        json.newline()
        output.write(json.text)
    }

    private static let timestampStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)

    private static func flatten(
        _ metadata: Logger.Metadata,
        prefix: String,
        into result: inout [(key: String, value: Logger.Metadata.Value)]
    ) {
        for (key, value) in metadata {
            let path = prefix.isEmpty ? key : "\(prefix).\(key)"
            if case .dictionary(let nested) = value, !nested.isEmpty {
                flatten(nested, prefix: path, into: &result)
            } else {
                result.append((path, value))
            }
        }
    }

    private static func write(_ value: Logger.Metadata.Value, to json: inout JSONLineWriter) {
        switch value {
        case .string(let string):
            json.string(string)
        case .stringConvertible(let convertible):
            json.string(convertible.description)
        case .array(let elements):
            json.beginArray()
            for element in elements {
                write(element, to: &json)
            }
            json.endArray()
        case .dictionary(let dictionary):
            json.beginObject()
            for (key, nested) in dictionary.sorted(by: { $0.key < $1.key }) {
                json.key(key)
                write(nested, to: &json)
            }
            json.endObject()
        }
    }
}
