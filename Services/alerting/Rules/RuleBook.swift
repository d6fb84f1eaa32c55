/// The rules in force, shared by the event consumer (reads) and the API and sweeper (replace).
actor RuleBook {
    private var rules: [AlertRule] = []

    /// The current rules.
    func current() -> [AlertRule] { rules }

    /// Replaces every rule.
    func replace(with rules: [AlertRule]) { self.rules = rules }
}
