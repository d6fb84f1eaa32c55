import Foundation

/// A small JSON Schema (draft 2020-12) validator covering the keywords used in `docs/schemas/`.
///
/// Unknown keywords make validation fail loudly, so a schema cannot silently use something unchecked.
struct SchemaValidator {
    static let annotationKeywords: Set<String> = ["$schema", "$id", "title", "description", "examples"]

    /// Returns the list of violations of `instance` (a `JSONSerialization` value) against `schema`.
    static func violations(of instance: Any, against schema: Any, path: String = "$") -> [String] {
        if let flag = schema as? Bool { return flag ? [] : ["\(path): schema false"] }
        guard let schema = schema as? [String: Any] else { return ["\(path): schema is not an object"] }
        var problems: [String] = []
        for (keyword, value) in schema {
            switch keyword {
            case _ where annotationKeywords.contains(keyword):
                continue
            case "type":
                if !matches(type: value as? String ?? "?", instance) { problems.append("\(path): expected \(value)") }
            case "const":
                if !equal(instance, value) { problems.append("\(path): must equal \(value)") }
            case "enum":
                if !((value as? [Any]) ?? []).contains(where: { equal(instance, $0) }) { problems.append("\(path): not in enum") }
            case "minimum":
                if let number = numeric(instance), let bound = numeric(value), number < bound { problems.append("\(path): below minimum") }
            case "maximum":
                if let number = numeric(instance), let bound = numeric(value), number > bound { problems.append("\(path): above maximum") }
            case "exclusiveMaximum":
                if let number = numeric(instance), let bound = numeric(value), number >= bound { problems.append("\(path): not below exclusiveMaximum") }
            case "minLength":
                if let text = instance as? String, text.unicodeScalars.count < (value as? Int ?? 0) { problems.append("\(path): too short") }
            case "maxLength":
                if let text = instance as? String, text.unicodeScalars.count > (value as? Int ?? 0) { problems.append("\(path): too long") }
            case "pattern":
                if let text = instance as? String, !matches(pattern: value as? String ?? "", text) { problems.append("\(path): pattern mismatch") }
            case "minItems":
                if let array = instance as? [Any], array.count < (value as? Int ?? 0) { problems.append("\(path): too few items") }
            case "maxItems":
                if let array = instance as? [Any], array.count > (value as? Int ?? 0) { problems.append("\(path): too many items") }
            case "items":
                if let array = instance as? [Any] {
                    for (index, element) in array.enumerated() { problems += violations(of: element, against: value, path: "\(path)[\(index)]") }
                }
            case "maxProperties":
                if let object = instance as? [String: Any], object.count > (value as? Int ?? 0) { problems.append("\(path): too many properties") }
            case "required":
                if let object = instance as? [String: Any] {
                    for name in (value as? [String]) ?? [] where object[name] == nil { problems.append("\(path): missing \(name)") }
                }
            case "properties":
                if let object = instance as? [String: Any], let properties = value as? [String: Any] {
                    for (name, subschema) in properties {
                        if let member = object[name] { problems += violations(of: member, against: subschema, path: "\(path).\(name)") }
                    }
                }
            case "additionalProperties":
                if let object = instance as? [String: Any] {
                    let declared = Set(((schema["properties"] as? [String: Any]) ?? [:]).keys)
                    for (name, member) in object where !declared.contains(name) {
                        problems += violations(of: member, against: value, path: "\(path).\(name)")
                    }
                }
            case "propertyNames":
                if let object = instance as? [String: Any] {
                    for name in object.keys { problems += violations(of: name, against: value, path: "\(path){\(name)}") }
                }
            case "allOf":
                for subschema in (value as? [Any]) ?? [] { problems += violations(of: instance, against: subschema, path: path) }
            case "not":
                if violations(of: instance, against: value, path: path).isEmpty { problems.append("\(path): matches 'not'") }
            case "if":
                let branch = violations(of: instance, against: value, path: path).isEmpty ? "then" : "else"
                if let subschema = schema[branch] { problems += violations(of: instance, against: subschema, path: path) }
            case "then", "else":
                continue
            default:
                problems.append("\(path): unsupported keyword \(keyword)")
            }
        }
        return problems
    }

    static func isBoolean(_ value: Any) -> Bool {
        guard let number = value as? NSNumber else { return false }
        return String(cString: number.objCType) == "c" || type(of: value) == Bool.self
    }

    static func numeric(_ value: Any) -> Double? {
        guard !isBoolean(value), let number = value as? NSNumber else { return nil }
        return number.doubleValue
    }

    static func matches(type: String, _ value: Any) -> Bool {
        switch type {
        case "object": return value is [String: Any]
        case "array": return value is [Any]
        case "string": return value is String
        case "boolean": return isBoolean(value)
        case "number": return numeric(value) != nil
        case "integer":
            guard !isBoolean(value), let number = value as? NSNumber else { return false }
            let kind = String(cString: number.objCType)
            return (kind != "d" && kind != "f") || number.doubleValue.rounded() == number.doubleValue
        default: return false
        }
    }

    static func matches(pattern: String, _ text: String) -> Bool {
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return false }
        return regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    static func equal(_ lhs: Any, _ rhs: Any) -> Bool {
        if let left = lhs as? String, let right = rhs as? String { return left == right }
        if isBoolean(lhs) != isBoolean(rhs) { return false }
        if let left = lhs as? NSNumber, let right = rhs as? NSNumber { return left == right }
        return false
    }
}
