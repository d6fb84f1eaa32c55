import Hummingbird

/// A rule with its source, as the API shows it.
struct RuleResource: ResponseEncodable, Sendable {
    var rule: AlertRule
    var source: String

    enum CodingKeys: String, CodingKey { case source }

    func encode(to encoder: any Encoder) throws {
        try rule.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(source, forKey: .source)
    }
}

/// `GET /v1/rules`.
struct RuleList: ResponseEncodable, Sendable {
    var rules: [RuleResource]
}
