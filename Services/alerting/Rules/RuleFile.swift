import Foundation

/// The rules file (`FLEET_ALERTING_RULES_FILE`): `{"rules": [ AlertRule, ... ]}`.
struct RuleFile: Codable, Sendable {
    var rules: [AlertRule]

    /// Reads and validates the file; errors name the file and the rule.
    static func load(path: String) throws -> [AlertRule] {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw RuleError("cannot read rules file \(path): \(error.localizedDescription)")
        }
        let file: RuleFile
        do {
            file = try JSONDecoder().decode(RuleFile.self, from: data)
        } catch {
            throw RuleError("rules file \(path) is not valid: \(error)")
        }
        var seen = Set<String>()
        for rule in file.rules {
            do throws(RuleError) {
                try rule.validate()
            } catch {
                throw RuleError("rules file \(path), rule \"\(rule.id)\": \(error.message)")
            }
            guard seen.insert(rule.id).inserted else { throw RuleError("rules file \(path): rule id \"\(rule.id)\" is used twice") }
        }
        return file.rules
    }
}
