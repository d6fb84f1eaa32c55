/// Typed access to the members of one JSON object while decoding a message.
///
/// Every accessor names the offending field by its full JSON path in the errors it throws.
/// Members not asked for are ignored (forward compatibility within a wire version).
struct JSONFields {
    let members: [JSONMember]
    /// Path of this object (`""` at the top level, `position`, `desired`, …).
    let path: String

    init(members: [JSONMember], path: String) {
        self.members = members
        self.path = path
    }

    /// Interprets a parsed document as a top-level message object and checks `"v"`.
    static func message(_ document: JSONValue) throws(WireError) -> JSONFields {
        guard case .object(let members) = document else {
            throw WireError(.typeMismatch, reason: "expected a JSON object at the top level, got \(document.typeName)")
        }
        let fields = JSONFields(members: members, path: "")
        guard let version = fields.value("v") else {
            throw WireError(.missingField, field: "v", reason: "required field is missing")
        }
        guard case .number(let number) = version, let v = number.uint64Value else {
            throw WireError(.typeMismatch, field: "v", reason: "expected an integer version, got \(version.typeName)")
        }
        guard v == UInt64(FleetLimits.wireVersion) else {
            throw WireError(
                .unsupportedVersion, field: "v", reason: "unsupported version \(v) (supported: \(FleetLimits.wireVersion))")
        }
        return fields
    }

    func fieldPath(_ key: StaticString) -> String { path.isEmpty ? key.description : path + "." + key.description }

    @inline(__always)
    func value(_ key: StaticString) -> JSONValue? {
        let hash = JSONKeyHash.of(key)
        for member in members where member.keyHash == hash && JSONKeyHash.equal(member.key, key) { return member.value }
        return nil
    }

    private func required(_ key: StaticString) throws(WireError) -> JSONValue {
        guard let value = value(key) else {
            throw WireError(.missingField, field: fieldPath(key), reason: "required field is missing")
        }
        return value
    }

    private func mismatch(_ key: StaticString, expected: String, got value: JSONValue) -> WireError {
        if case .null = value {
            return WireError(
                .typeMismatch, field: fieldPath(key), reason: "expected \(expected), got null (omit absent optional fields)")
        }
        return WireError(.typeMismatch, field: fieldPath(key), reason: "expected \(expected), got \(value.typeName)")
    }

    // MARK: Scalars

    func string(_ key: StaticString) throws(WireError) -> String {
        try string(key, try required(key))
    }

    func optionalString(_ key: StaticString) throws(WireError) -> String? {
        guard let value = value(key) else { return nil }
        return try string(key, value)
    }

    private func string(_ key: StaticString, _ value: JSONValue) throws(WireError) -> String {
        guard case .string(let text) = value else { throw mismatch(key, expected: "string", got: value) }
        return text
    }

    func double(_ key: StaticString) throws(WireError) -> Double {
        try double(key, try required(key))
    }

    func optionalDouble(_ key: StaticString) throws(WireError) -> Double? {
        guard let value = value(key) else { return nil }
        return try double(key, value)
    }

    private func double(_ key: StaticString, _ value: JSONValue) throws(WireError) -> Double {
        guard case .number(let number) = value else { throw mismatch(key, expected: "number", got: value) }
        guard let double = number.doubleValue else {
            throw WireError(.invalidValue, field: fieldPath(key), reason: "number is too large to represent")
        }
        return double
    }

    func uint64(_ key: StaticString) throws(WireError) -> UInt64 {
        let value = try required(key)
        guard case .number(let number) = value else { throw mismatch(key, expected: "integer", got: value) }
        guard let integer = number.uint64Value else {
            if !number.isInteger {
                throw WireError(.typeMismatch, field: fieldPath(key), reason: "expected an integer literal (no fraction or exponent)")
            }
            throw WireError(.invalidValue, field: fieldPath(key), reason: "must be an integer within 0...\(UInt64.max)")
        }
        return integer
    }

    func int64(_ key: StaticString) throws(WireError) -> Int64 {
        try int64(key, try required(key))
    }

    func optionalInt64(_ key: StaticString) throws(WireError) -> Int64? {
        guard let value = value(key) else { return nil }
        return try int64(key, value)
    }

    private func int64(_ key: StaticString, _ value: JSONValue) throws(WireError) -> Int64 {
        guard case .number(let number) = value else { throw mismatch(key, expected: "integer", got: value) }
        guard let integer = number.int64Value else {
            if !number.isInteger {
                throw WireError(.typeMismatch, field: fieldPath(key), reason: "expected an integer literal (no fraction or exponent)")
            }
            throw WireError(.invalidValue, field: fieldPath(key), reason: "must be an integer within the Int64 range")
        }
        return integer
    }

    func bool(_ key: StaticString) throws(WireError) -> Bool {
        let value = try required(key)
        guard case .bool(let flag) = value else { throw mismatch(key, expected: "boolean", got: value) }
        return flag
    }

    // MARK: Domain types

    func vehicleID(_ key: StaticString) throws(WireError) -> VehicleID {
        try vehicleID(key, try string(key))
    }

    func optionalVehicleID(_ key: StaticString) throws(WireError) -> VehicleID? {
        guard let text = try optionalString(key) else { return nil }
        return try vehicleID(key, text)
    }

    private func vehicleID(_ key: StaticString, _ text: String) throws(WireError) -> VehicleID {
        do throws(ValidationError) {
            return try VehicleID(text)
        } catch {
            throw WireError(.invalidValue, field: fieldPath(key), reason: error.reason)
        }
    }

    func messageID(_ key: StaticString) throws(WireError) -> MessageID {
        let text = try string(key)
        do throws(ValidationError) {
            return try MessageID(text)
        } catch {
            throw WireError(.invalidValue, field: fieldPath(key), reason: error.reason)
        }
    }

    func enumeration<E: RawRepresentable & CaseIterable>(_ key: StaticString, _ type: E.Type) throws(WireError) -> E
    where E.RawValue == String {
        try enumeration(key, type, try string(key))
    }

    func optionalEnumeration<E: RawRepresentable & CaseIterable>(_ key: StaticString, _ type: E.Type) throws(WireError) -> E?
    where E.RawValue == String {
        guard let text = try optionalString(key) else { return nil }
        return try enumeration(key, type, text)
    }

    private func enumeration<E: RawRepresentable & CaseIterable>(_ key: StaticString, _ type: E.Type, _ text: String)
        throws(WireError) -> E
    where E.RawValue == String {
        guard let value = E(rawValue: text) else {
            let allowed = E.allCases.map(\.rawValue).joined(separator: ", ")
            throw WireError(.invalidValue, field: fieldPath(key), reason: "unknown value \"\(text)\" (expected one of: \(allowed))")
        }
        return value
    }

    // MARK: Containers

    func object(_ key: StaticString) throws(WireError) -> JSONFields {
        try object(key, try required(key))
    }

    func optionalObject(_ key: StaticString) throws(WireError) -> JSONFields? {
        guard let value = value(key) else { return nil }
        return try object(key, value)
    }

    private func object(_ key: StaticString, _ value: JSONValue) throws(WireError) -> JSONFields {
        guard case .object(let members) = value else { throw mismatch(key, expected: "object", got: value) }
        return JSONFields(members: members, path: fieldPath(key))
    }

    /// A required array of strings, at most `maxCount` long.
    /// An optional array of numbers, at most `maxCount`.
    func optionalDoubleArray(_ key: StaticString, maxCount: Int) throws(WireError) -> [Double]? {
        guard let value = value(key) else { return nil }
        guard case .array(let elements) = value else { throw mismatch(key, expected: "array", got: value) }
        guard elements.count <= maxCount else {
            throw WireError(.invalidValue, field: fieldPath(key), reason: "at most \(maxCount) elements allowed (got \(elements.count))")
        }
        var result: [Double] = []
        result.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            guard case .number(let number) = element else {
                throw WireError(.typeMismatch, field: "\(fieldPath(key))[\(index)]", reason: "expected number, got \(element.typeName)")
            }
            guard let double = number.doubleValue else {
                throw WireError(.invalidValue, field: "\(fieldPath(key))[\(index)]", reason: "number is too large to represent")
            }
            result.append(double)
        }
        return result
    }

    /// A required array of objects, at most `maxCount`; each element's path is `key[index]`.
    func objectArray(_ key: StaticString, maxCount: Int) throws(WireError) -> [JSONFields] {
        let value = try required(key)
        guard case .array(let elements) = value else { throw mismatch(key, expected: "array", got: value) }
        guard elements.count <= maxCount else {
            throw WireError(.invalidValue, field: fieldPath(key), reason: "at most \(maxCount) elements allowed (got \(elements.count))")
        }
        var result: [JSONFields] = []
        result.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            guard case .object(let members) = element else {
                throw WireError(.typeMismatch, field: "\(fieldPath(key))[\(index)]", reason: "expected object, got \(element.typeName)")
            }
            result.append(JSONFields(members: members, path: "\(fieldPath(key))[\(index)]"))
        }
        return result
    }

    /// An optional unsigned integer.
    func optionalUInt64(_ key: StaticString) throws(WireError) -> UInt64? {
        guard value(key) != nil else { return nil }
        return try uint64(key)
    }

    func stringArray(_ key: StaticString, maxCount: Int) throws(WireError) -> [String] {
        let value = try required(key)
        guard case .array(let elements) = value else { throw mismatch(key, expected: "array", got: value) }
        guard elements.count <= maxCount else {
            throw WireError(.invalidValue, field: fieldPath(key), reason: "at most \(maxCount) elements allowed (got \(elements.count))")
        }
        var result: [String] = []
        result.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            guard case .string(let text) = element else {
                throw WireError(.typeMismatch, field: "\(fieldPath(key))[\(index)]", reason: "expected string, got \(element.typeName)")
            }
            result.append(text)
        }
        return result
    }

    /// A required object whose values are all strings, at most `maxCount` entries.
    func stringMap(_ key: StaticString, maxCount: Int) throws(WireError) -> [String: String] {
        let value = try required(key)
        guard case .object(let members) = value else { throw mismatch(key, expected: "object", got: value) }
        guard members.count <= maxCount else {
            throw WireError(.invalidValue, field: fieldPath(key), reason: "at most \(maxCount) entries allowed (got \(members.count))")
        }
        var result: [String: String] = [:]
        result.reserveCapacity(members.count)
        for member in members {
            guard case .string(let text) = member.value else {
                throw WireError(
                    .typeMismatch, field: "\(fieldPath(key)).\(member.key)", reason: "expected string, got \(member.value.typeName)")
            }
            result[member.key] = text
        }
        return result
    }
}
