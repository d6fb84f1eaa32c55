import FleetService

/// Storage of API tokens (hashes only).
protocol TokenRepository: Sendable {
    /// The token whose secret hashes to `hash`, with whether it was revoked; `nil` if unknown.
    func lookup(hash: String) async throws -> (identity: Identity, revoked: Bool)?
    /// Stores a new token and its audit entry in one transaction.
    func create(id: String, hash: String, spec: TokenSpec, audit: AuditEntry) async throws -> TokenInfo
    /// Every token, newest first.
    func list() async throws -> [TokenInfo]
    /// Revokes token `id` (and writes the audit entry); `nil` if there is no such token, else whether it was active.
    func revoke(id: String, audit: AuditEntry) async throws -> Bool?
    /// Inserts or re-activates the bootstrap admin token with this hash and rate limit.
    func upsertBootstrapAdmin(hash: String, rateLimit: RateLimit) async throws
}
