import FleetService

/// Suite tokens checked against fleet-control's own table: this service is where every other one asks.
struct RepositoryAuthenticator<Repository: TokenRepository>: TokenAuthenticator {
    let tokens: Repository

    func authenticate(token: String) async throws -> Identity {
        // Secrets are 68 characters; anything much longer is not one of ours and is not worth hashing.
        guard token.utf8.count <= 512 else { throw AuthenticationFailure(.unknown, "Invalid token") }
        guard let found = try await tokens.lookup(hash: TokenSecret.hash(token)) else {
            throw AuthenticationFailure(.unknown, "Invalid token")
        }
        guard !found.revoked else {
            throw AuthenticationFailure(.revoked, "Token \(found.identity.tokenID) has been revoked")
        }
        return found.identity
    }
}
