import FleetService
import Foundation
import Logging
import PostgresNIO

/// ``CredentialRepository`` on PostgreSQL (`vehicle_credentials`, `vehicles`, `vehicle_tags`, `api_tokens`).
struct PostgresCredentialRepository: CredentialRepository {
    let client: PostgresClient
    let schema: String
    let tokens: PostgresTokenRepository
    let logger: Logger

    func isProvisioned(_ vehicle: String) async throws -> Bool {
        let rows = try await client.query("SELECT 1 FROM \(unescaped: schema).vehicle_credentials WHERE vehicle_id = \(vehicle)", logger: logger)
        for try await _ in rows { return true }
        return false
    }

    func provision(vehicle: String, tags: [String], token: NewToken, audit: AuditEntry) async throws -> TokenInfo {
        defer { tokens.cache.removeAll() }
        return try await client.withUnwrappedTransaction(logger: logger) { connection in
            try await connection.query(
                """
                INSERT INTO \(unescaped: schema).vehicles (id, connectivity, last_seen) VALUES (\(vehicle), 'offline', now())
                ON CONFLICT (id) DO NOTHING
                """,
                logger: logger)
            for tag in tags {
                try await connection.query(
                    "INSERT INTO \(unescaped: schema).vehicle_tags (vehicle_id, tag) VALUES (\(vehicle), \(tag)) ON CONFLICT DO NOTHING", logger: logger)
            }
            let info = try await PostgresTokenRepository.insert(
                id: token.id, hash: token.hash, spec: token.spec, createdBy: audit.actorTokenID, schema: schema, on: connection, logger: logger)
            try await connection.query(
                """
                INSERT INTO \(unescaped: schema).vehicle_credentials (vehicle_id, token_id, provisioned_by)
                VALUES (\(vehicle), \(token.id), \(audit.actorTokenID))
                """,
                logger: logger)
            try await AuditSQL.insert(audit, schema: schema, on: connection, logger: logger)
            return info
        }
    }

    func rotate(vehicle: String, token: NewToken, audit: AuditEntry) async throws -> TokenInfo? {
        defer { tokens.cache.removeAll() }
        return try await client.withUnwrappedTransaction(logger: logger) { connection in
            let rows = try await connection.query(
                "SELECT 1 FROM \(unescaped: schema).vehicle_credentials WHERE vehicle_id = \(vehicle) FOR UPDATE", logger: logger)
            var found = false
            for try await _ in rows { found = true }
            guard found else { return nil }
            _ = try await PostgresTokenRepository.revokeTokens(ofVehicle: vehicle, revokedBy: audit.actorTokenID, schema: schema, on: connection, logger: logger)
            let info = try await PostgresTokenRepository.insert(
                id: token.id, hash: token.hash, spec: token.spec, createdBy: audit.actorTokenID, schema: schema, on: connection, logger: logger)
            try await connection.query(
                "UPDATE \(unescaped: schema).vehicle_credentials SET token_id = \(token.id), rotated_at = now() WHERE vehicle_id = \(vehicle)",
                logger: logger)
            try await AuditSQL.insert(audit, schema: schema, on: connection, logger: logger)
            return info
        }
    }

    func revoke(vehicle: String, audit: AuditEntry) async throws -> Bool {
        defer { tokens.cache.removeAll() }
        return try await client.withUnwrappedTransaction(logger: logger) { connection in
            let rows = try await connection.query(
                "DELETE FROM \(unescaped: schema).vehicle_credentials WHERE vehicle_id = \(vehicle) RETURNING 1", logger: logger)
            var found = false
            for try await _ in rows { found = true }
            let revoked = try await PostgresTokenRepository.revokeTokens(ofVehicle: vehicle, revokedBy: audit.actorTokenID, schema: schema, on: connection, logger: logger)
            var entry = audit
            if !revoked.isEmpty { entry.details = "tokens \(revoked.joined(separator: ","))" }
            try await AuditSQL.insert(entry, schema: schema, on: connection, logger: logger)
            return found || !revoked.isEmpty
        }
    }
}
