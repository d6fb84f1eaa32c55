import Foundation
import Logging
import PostgresNIO

/// ``TokenRepository`` on PostgreSQL (`<schema>.api_tokens`).
///
/// Lookups are cached for one second (``TokenCache``), so authentication is not a database round trip on every
/// request; creating or revoking a token through this repository clears the cache.
struct PostgresTokenRepository: TokenRepository {
    static let bootstrapID = "tok_bootstrap_admin"

    let client: PostgresClient
    let schema: String
    let logger: Logger
    let cache = TokenCache(timeToLive: .seconds(1))

    func lookup(hash: String) async throws -> (identity: Identity, revoked: Bool)? {
        if let cached = cache.lookup(hash: hash) { return cached }
        let generation = cache.generation
        let rows = try await client.query(
            "SELECT id, name, scopes, revoked_at IS NOT NULL FROM \(unescaped: schema).api_tokens WHERE token_hash = \(hash)",
            logger: logger
        )
        for try await (id, name, scopes, revoked) in rows.decode((String, String, [String], Bool).self) {
            let identity = Identity(tokenID: id, name: name, scopes: Set(scopes.compactMap(Scope.init(rawValue:))))
            cache.store(hash: hash, identity: identity, revoked: revoked, generation: generation)
            return (identity, revoked)
        }
        return nil
    }

    func create(id: String, name: String, hash: String, scopes: [Scope], audit: AuditEntry) async throws -> TokenInfo {
        defer { cache.removeAll() }
        return try await client.withUnwrappedTransaction(logger: logger) { connection in
            let rows = try await connection.query(
                """
                INSERT INTO \(unescaped: schema).api_tokens (id, name, token_hash, scopes, created_by)
                VALUES (\(id), \(name), \(hash), \(scopes.map(\.rawValue)), \(audit.actorTokenID))
                RETURNING created_at
                """,
                logger: logger
            )
            var createdAt = Date()
            for try await value in rows.decode(Date.self) { createdAt = value }
            try await AuditSQL.insert(audit, schema: schema, on: connection, logger: logger)
            return TokenInfo(id: id, name: name, scopes: scopes, createdAt: createdAt, createdBy: audit.actorTokenID, revokedAt: nil)
        }
    }

    func list() async throws -> [TokenInfo] {
        let rows = try await client.query(
            "SELECT id, name, scopes, created_at, created_by, revoked_at FROM \(unescaped: schema).api_tokens ORDER BY created_at DESC, id",
            logger: logger
        )
        var tokens: [TokenInfo] = []
        for try await (id, name, scopes, createdAt, createdBy, revokedAt) in rows.decode((String, String, [String], Date, String?, Date?).self) {
            tokens.append(TokenInfo(id: id, name: name, scopes: scopes.compactMap(Scope.init(rawValue:)), createdAt: createdAt, createdBy: createdBy, revokedAt: revokedAt))
        }
        return tokens
    }

    func revoke(id: String, audit: AuditEntry) async throws -> Bool? {
        // Cleared once the revocation is committed, so no request after this answer is served from the cache.
        defer { cache.removeAll() }
        return try await client.withUnwrappedTransaction(logger: logger) { connection in
            let existing = try await connection.query(
                "SELECT revoked_at IS NULL FROM \(unescaped: schema).api_tokens WHERE id = \(id) FOR UPDATE",
                logger: logger
            )
            var active: Bool?
            for try await value in existing.decode(Bool.self) { active = value }
            guard let active else { return nil }
            if active {
                try await connection.query(
                    "UPDATE \(unescaped: schema).api_tokens SET revoked_at = now(), revoked_by = \(audit.actorTokenID) WHERE id = \(id)",
                    logger: logger
                )
            }
            var entry = audit
            if !active { entry.outcome = "already_revoked" }
            try await AuditSQL.insert(entry, schema: schema, on: connection, logger: logger)
            return active
        }
    }

    func upsertBootstrapAdmin(hash: String) async throws {
        defer { cache.removeAll() }
        let scopes = Scope.allCases.map(\.rawValue)
        try await client.query(
            """
            INSERT INTO \(unescaped: schema).api_tokens (id, name, token_hash, scopes, created_by)
            VALUES (\(Self.bootstrapID), 'bootstrap admin (FLEET_CONTROL_ADMIN_TOKEN)', \(hash), \(scopes), 'environment')
            ON CONFLICT (id) DO UPDATE SET token_hash = EXCLUDED.token_hash, scopes = EXCLUDED.scopes, revoked_at = NULL, revoked_by = NULL
            """,
            logger: logger
        )
    }
}
