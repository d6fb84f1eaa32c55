import Configuration
import Logging

/// How a service logs.
///
/// ## Configuration keys
/// | Key | Environment variable | Default | Meaning |
/// |---|---|---|---|
/// | `fleet.log.level` | `FLEET_LOG_LEVEL` | `info` | `trace`, `debug`, `info`, `notice`, `warning`, `error` or `critical`. |
/// | `fleet.log.format` | `FLEET_LOG_FORMAT` | `json` | `json` (one object per line) or `text` (human-readable). |
public struct LogConfiguration: Sendable, Equatable {
    /// Output format.
    public enum Format: String, Sendable, CaseIterable {
        /// One JSON object per line on stdout, see ``JSONLogHandler``.
        case json
        /// swift-log's human-readable `StreamLogHandler` on stdout.
        case text
    }

    /// Minimum level that is written.
    public var level: Logger.Level
    /// Output format.
    public var format: Format

    /// Creates a configuration from explicit values.
    public init(level: Logger.Level = .info, format: Format = .json) {
        self.level = level
        self.format = format
    }

    /// Reads `fleet.log.*` (see the type documentation for keys and defaults).
    ///
    /// - Throws: ``ConfigurationError`` when a value is present but malformed.
    public init(reader: ConfigReader) throws {
        self.level = try reader.fleetEnum("fleet.log.level", default: Logger.Level.info)
        self.format = try reader.fleetEnum("fleet.log.format", default: Format.json)
    }
}
