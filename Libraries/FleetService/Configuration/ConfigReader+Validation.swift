import Configuration

/// Strict readers: a missing key yields the default, a present but malformed value throws.
///
/// `ConfigReader.int(forKey:default:)` silently returns the default when a value cannot
/// be converted; these helpers surface the mistake as a ``ConfigurationError`` instead.
extension ConfigReader {
    public func fleetString(_ key: String, default defaultValue: String, isSecret: Bool = false) throws -> String {
        let value = string(forKey: ConfigKey(key), isSecret: isSecret, default: defaultValue)
        guard !value.isEmpty else {
            throw ConfigurationError(key: key, reason: "must not be empty")
        }
        return value
    }

    public func fleetOptionalString(_ key: String, isSecret: Bool = false) -> String? {
        string(forKey: ConfigKey(key), isSecret: isSecret).flatMap { $0.isEmpty ? nil : $0 }
    }

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
}
