/// The authenticated caller of a request: the token's id, name and scopes.
struct Identity: Sendable, Equatable {
    var tokenID: String
    var name: String
    var scopes: Set<Scope>

    /// Whether the token grants `scope` (`admin` grants everything).
    func allows(_ scope: Scope) -> Bool { scopes.contains(scope) || scopes.contains(.admin) }
}
