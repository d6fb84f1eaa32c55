/// A rule with where it came from.
struct StoredRule: Sendable {
    var rule: AlertRule
    /// `file` (read-only through the API) or `api`.
    var source: String
}

/// Outcome of a rule write through the API.
enum RuleWrite: Sendable {
    case created(StoredRule)
    case replaced(StoredRule)
    /// The id belongs to a rule from the rules file.
    case readOnly
}

/// Persistence of alert rules.
protocol RuleRepository: Sendable {
    func all() async throws -> [StoredRule]
    func rule(id: String) async throws -> StoredRule?
    /// Creates or replaces an API rule.
    func put(_ rule: AlertRule) async throws -> RuleWrite
    /// Deletes an API rule: `nil` if unknown, `false` if it comes from the file.
    func delete(id: String) async throws -> Bool?
    /// Makes the file rules exactly `rules` (removing file rules no longer listed).
    func syncFileRules(_ rules: [AlertRule]) async throws
}
