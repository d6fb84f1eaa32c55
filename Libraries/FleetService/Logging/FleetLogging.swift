import Logging
import Synchronization

/// Process-wide logging set-up for Fleet services.
public enum FleetLogging {
    private static let isBootstrapped = Mutex(false)

    /// Installs the handler chosen by `configuration` as swift-log's global backend.
    ///
    /// swift-log allows exactly one bootstrap per process; this function performs it on the
    /// first call and ignores later ones, so calling it from several places is harmless.
    /// Tests should not call it: create a ``JSONLogHandler`` directly instead.
    ///
    /// - Returns: `true` if this call installed the handler.
    @discardableResult
    public static func bootstrap(_ configuration: LogConfiguration) -> Bool {
        isBootstrapped.withLock { isBootstrapped in
            guard !isBootstrapped else { return false }
            LoggingSystem.bootstrap { label in
                makeHandler(label: label, configuration: configuration)
            }
            isBootstrapped = true
            return true
        }
    }

    /// The handler `bootstrap` installs, for callers that build loggers themselves.
    ///
    /// - Parameters:
    ///   - label: The logger label.
    ///   - configuration: Chooses the format and minimum level.
    ///   - output: Destination for the JSON format (text always goes to stdout).
    public static func makeHandler(
        label: String,
        configuration: LogConfiguration,
        output: LogOutput = .standardOutput
    ) -> any LogHandler {
        switch configuration.format {
        case .json:
            return JSONLogHandler(label: label, logLevel: configuration.level, output: output)
        case .text:
            var handler = StreamLogHandler.standardOutput(label: label)
            handler.logLevel = configuration.level
            return handler
        }
    }
}
