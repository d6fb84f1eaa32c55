import Logging

/// A logger that discards everything, so tests do not depend on the global backend.
public let silentLogger = Logger(label: "fleet.tests") { _ in SwiftLogNoOpLogHandler() }
