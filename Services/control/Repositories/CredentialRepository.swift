import FleetService

/// fleet-control's record of provisioned vehicles (the passwords are the broker's; only token hashes are kept here).
protocol CredentialRepository: Sendable {
    /// Whether `vehicle` has credentials.
    func isProvisioned(_ vehicle: String) async throws -> Bool
    /// In one transaction: registers the vehicle (offline until it reports) with `tags`, stores its token, records
    /// the credentials and the audit entry.
    func provision(vehicle: String, tags: [String], token: NewToken, audit: AuditEntry) async throws -> TokenInfo
    /// Revokes the vehicle's tokens and stores `token` instead; `nil` when it has no credentials.
    func rotate(vehicle: String, token: NewToken, audit: AuditEntry) async throws -> TokenInfo?
    /// Forgets the credentials and revokes the vehicle's tokens; whether there were any.
    func revoke(vehicle: String, audit: AuditEntry) async throws -> Bool
}

/// A token about to be stored: its id, the hash of its secret and what it may do.
struct NewToken: Sendable {
    var id: String
    var hash: String
    var spec: TokenSpec
}
