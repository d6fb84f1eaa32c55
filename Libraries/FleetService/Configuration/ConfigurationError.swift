import Configuration

/// A configuration value was present but could not be used.
///
/// Fleet services refuse to start on malformed configuration instead of silently
/// falling back to a default: a typo in `FLEET_HTTP_PORT` should stop the rollout,
/// not bind the wrong port.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The configuration key, in dotted form (for example `fleet.http.port`).
    public var key: String
    /// The environment variable the key maps to (for example `FLEET_HTTP_PORT`).
    public var environmentVariable: String
    /// What was wrong with the value.
    public var reason: String

    /// Creates an error for `key` with a human-readable `reason`.
    public init(key: String, reason: String) {
        self.key = key
        self.environmentVariable = Self.environmentVariable(for: key)
        self.reason = reason
    }

    public var description: String {
        "Invalid configuration \(environmentVariable) (\(key)): \(reason)"
    }

    /// The environment variable name `EnvironmentVariablesProvider` reads for a dotted key.
    /// Mirrors swift-configuration's encoding: camelCase words split by `_`, dots become `_`.
    static func environmentVariable(for key: String) -> String {
        var result = ""
        var previousWasLowercase = false
        for character in key {
            if character.isUppercase && previousWasLowercase {
                result.append("_")
            }
            previousWasLowercase = character.isLowercase
            result += character.isLetter || character.isNumber ? character.uppercased() : "_"
        }
        return result
    }
}
