import Configuration
import Foundation

/// Strict readers: a missing key yields the default, a present but malformed value throws.
///
/// `ConfigReader.int(forKey:default:)` silently returns the default when a value cannot
/// be converted; these helpers surface the mistake as a ``ConfigurationError`` instead.
extension ConfigReader {
    /// A non-empty string, or `defaultValue` when the key is unset.
    public func fleetString(_ key: String, default defaultValue: String, isSecret: Bool = false) throws -> String {
        let value = string(forKey: ConfigKey(key), isSecret: isSecret, default: defaultValue)
        guard !value.isEmpty else {
            throw ConfigurationError(key: key, reason: "must not be empty")
        }
        return value
    }

    /// A string, or `nil` when the key is unset or empty.
    public func fleetOptionalString(_ key: String, isSecret: Bool = false) -> String? {
        string(forKey: ConfigKey(key), isSecret: isSecret).flatMap { $0.isEmpty ? nil : $0 }
    }

    /// An integer within `range`, or `defaultValue` when the key is unset.
    public func fleetInt(_ key: String, default defaultValue: Int, range: ClosedRange<Int>) throws -> Int {
        let configKey = ConfigKey(key)
        let value: Int
        if let parsed = int(forKey: configKey) {
            value = parsed
        } else if let raw = string(forKey: configKey) {
            throw ConfigurationError(key: key, reason: "expected an integer, got \"\(raw)\"")
        } else {
            value = defaultValue
        }
        guard range.contains(value) else {
            throw ConfigurationError(
                key: key,
                reason: "\(value) is outside \(range.lowerBound)...\(range.upperBound)"
            )
        }
        return value
    }

    /// One of `Value`'s raw values (case-insensitive), or `defaultValue` when the key is unset.
    public func fleetEnum<Value: RawRepresentable<String> & CaseIterable>(
        _ key: String,
        default defaultValue: Value
    ) throws -> Value {
        guard let raw = fleetOptionalString(key) else {
            return defaultValue
        }
        guard let value = Value(rawValue: raw.lowercased()) else {
            let allowed = Value.allCases.map(\.rawValue).joined(separator: ", ")
            throw ConfigurationError(key: key, reason: "\"\(raw)\" is not one of: \(allowed)")
        }
        return value
    }

    /// The path of a readable file, or `nil` when the key is unset or empty. Checked at start-up, so a certificate
    /// bundle that was not mounted stops the rollout with its variable named instead of failing every connection.
    public func fleetReadableFile(_ key: String) throws -> String? {
        guard let path = fleetOptionalString(key) else { return nil }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
            FileManager.default.isReadableFile(atPath: path)
        else {
            throw ConfigurationError(key: key, reason: "\(path) is not a readable file")
        }
        return path
    }
}
