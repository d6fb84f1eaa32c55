import Hummingbird

/// The body of `/health/ready`.
///
/// ```json
/// {"status":"unavailable","checks":{"mqtt":"up","postgres":"down"},"down":["postgres"]}
/// ```
public struct ReadinessReport: ResponseCodable, Sendable, Equatable {
    /// `ready` when every check passed, otherwise `unavailable`.
    public var status: String
    /// Each check's name mapped to `up` or `down`.
    public var checks: [String: String]
    /// Names of the checks that failed, sorted; empty when ready.
    public var down: [String]

    /// Whether every check passed.
    public var isReady: Bool { down.isEmpty }

    /// Builds a report from check names and their failures (`nil` = up).
    public init(results: [String: String?]) {
        self.checks = results.mapValues { $0 == nil ? "up" : "down" }
        self.down = results.filter { $0.value != nil }.map(\.key).sorted()
        self.status = down.isEmpty ? "ready" : "unavailable"
    }
}
