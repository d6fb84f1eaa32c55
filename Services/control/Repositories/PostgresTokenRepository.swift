import FleetService
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
            """
            SELECT id, name, scopes, vehicle_id, rate_limit_rps, rate_limit_burst, revoked_at IS NOT NULL
            FROM \(unescaped: schema).api_tokens WHERE token_hash = \(hash)
            """,
            logger: logger
        )
        for try await (id, name, scopes, vehicleID, rps, burst, revoked) in rows.decode((String, String, [String], String?, Int?, Int?, Bool).self) {
            let identity = Identity(
                tokenID: id, name: name, scopes: Set(scopes.compactMap(Scope.init(rawValue:))), vehicleID: vehicleID,
                rateLimit: Self.rateLimit(rps, burst))
            cache.store(hash: hash, identity: identity, revoked: revoked, generation: generation)
            return (identity, revoked)
        }
        return nil
    }

    func create(id: String, hash: String, spec: TokenSpec, audit: AuditEntry) async throws -> TokenInfo {
        defer { cache.removeAll() }
        return try await client.withUnwrappedTransaction(logger: logger) { connection in
            let info = try await Self.insert(id: id, hash: hash, spec: spec, createdBy: audit.actorTokenID, schema: schema, on: connection, logger: logger)
            try await AuditSQL.insert(audit, schema: schema, on: connection, logger: logger)
            return info
        }
    }

    /// The INSERT of a new token, inside the caller's transaction (the credential repository makes vehicle tokens
    /// with it).
    static func insert(
        id: String, hash: String, spec: TokenSpec, createdBy: String?, schema: String, on connection: PostgresConnection, logger: Logger
    ) async throws -> TokenInfo {
        let rows = try await connection.query(
            """
            INSERT INTO \(unescaped: schema).api_tokens (id, name, token_hash, scopes, vehicle_id, rate_limit_rps, rate_limit_burst, created_by)
            VALUES (\(id), \(spec.name), \(hash), \(spec.scopes.map(\.rawValue)), \(spec.vehicleID), \(spec.rateLimit?.perSecond),
                    \(spec.rateLimit?.burst), \(createdBy))
            RETURNING created_at
            """,
            logger: logger
        )
        var createdAt = Date()
        for try await value in rows.decode(Date.self) { createdAt = value }
        return TokenInfo(
            id: id, name: spec.name, scopes: spec.scopes, vehicleID: spec.vehicleID, rateLimit: spec.rateLimit, createdAt: createdAt,
            createdBy: createdBy, revokedAt: nil)
    }

    /// Revokes every active token that speaks for `vehicleID`, inside the caller's transaction; returns their ids.
    static func revokeTokens(ofVehicle vehicleID: String, revokedBy: String?, schema: String, on connection: PostgresConnection, logger: Logger) async throws -> [String] {
        let rows = try await connection.query(
            """
            UPDATE \(unescaped: schema).api_tokens SET revoked_at = now(), revoked_by = \(revokedBy)
            WHERE vehicle_id = \(vehicleID) AND revoked_at IS NULL RETURNING id
            """,
            logger: logger
        )
        var ids: [String] = []
        for try await id in rows.decode(String.self) { ids.append(id) }
        return ids
    }

    func list() async throws -> [TokenInfo] {
        let rows = try await client.query(
            """
            SELECT id, name, scopes, vehicle_id, rate_limit_rps, rate_limit_burst, created_at, created_by, revoked_at
            FROM \(unescaped: schema).api_tokens ORDER BY created_at DESC, id
            """,
            logger: logger
        )
        var tokens: [TokenInfo] = []
        for try await (id, name, scopes, vehicleID, rps, burst, createdAt, createdBy, revokedAt) in rows.decode(
            (String, String, [String], String?, Int?, Int?, Date, String?, Date?).self)
        {
            tokens.append(
                TokenInfo(
                    id: id, name: name, scopes: scopes.compactMap(Scope.init(rawValue:)), vehicleID: vehicleID,
                    rateLimit: Self.rateLimit(rps, burst), createdAt: createdAt, createdBy: createdBy, revokedAt: revokedAt))
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

    func upsertBootstrapAdmin(hash: String, rateLimit: RateLimit) async throws {
        defer { cache.removeAll() }
        let scopes = Scope.allCases.map(\.rawValue)
        try await client.query(
            """
            INSERT INTO \(unescaped: schema).api_tokens (id, name, token_hash, scopes, rate_limit_rps, rate_limit_burst, created_by)
            VALUES (\(Self.bootstrapID), 'bootstrap admin (FLEET_CONTROL_ADMIN_TOKEN)', \(hash), \(scopes), \(rateLimit.perSecond),
                    \(rateLimit.burst), 'environment')
            ON CONFLICT (id) DO UPDATE SET token_hash = EXCLUDED.token_hash, scopes = EXCLUDED.scopes,
                rate_limit_rps = EXCLUDED.rate_limit_rps, rate_limit_burst = EXCLUDED.rate_limit_burst, revoked_at = NULL, revoked_by = NULL
            """,
            logger: logger
        )
    }

    static func rateLimit(_ perSecond: Int?, _ burst: Int?) -> RateLimit? {
        guard let perSecond, let burst else { return nil }
        return RateLimit(perSecond: perSecond, burst: burst)
    }
}
