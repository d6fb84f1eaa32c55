import FleetTestSupport
import Configuration
import Foundation
import HTTPTypes
import Testing

@testable import FleetControl

/// Bearer tokens, scopes, revocation, the rate limit and the audit log, against PostgreSQL.
@Suite("fleet-control auth and audit", .enabled(if: TestPostgres.isConfigured, "FLEET_POSTGRES_HOST is not set"), .timeLimit(.minutes(2)))
struct AuthAndAuditTests {
    @Test("401 without, with a malformed, an unknown or a revoked token; 403 for a missing scope; 429 past the rate limit")
    func authFailures() async throws {
        let broker = try TestBroker()
        try await TestPostgres.withSchema { _, schema in
            try await ControlTest.withApp(broker: broker, schema: schema, overrides: ["fleet.auth.rateLimit.rps": 1, "fleet.auth.rateLimit.burst": 30]) { api in
                let missing = try await api.call(.get, "/v1/vehicles", token: nil)
                #expect(missing.status == .unauthorized)
                #expect(missing.errorMessage.contains("Missing bearer token"))
                #expect(missing.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)

                let malformed = try await api.call(.get, "/v1/vehicles", token: nil, headers: [.authorization: "Basic abc"])
                #expect(malformed.status == .unauthorized)
                #expect(malformed.errorMessage.contains("Malformed"))

                let unknown = try await api.call(.get, "/v1/vehicles", token: "fct_not-a-real-token")
                #expect(unknown.status == .unauthorized)
                #expect(unknown.errorMessage == "Invalid token")

                let reader = try await api.createToken(name: "dashboard", scopes: ["fleet:read"])
                #expect(reader.secret.hasPrefix("fct_"))
                #expect(try await api.call(.get, "/v1/vehicles", token: reader.secret).status == .ok)
                let forbidden = try await api.call(.post, "/v1/vehicles/x/commands", token: reader.secret, json: #"{"action":"pause"}"#)
                #expect(forbidden.status == .forbidden)
                #expect(forbidden.errorMessage.contains("commands:write"))
                #expect(try await api.call(.get, "/v1/audit", token: reader.secret).status == .forbidden)
                #expect(try await api.call(.post, "/v1/tokens", token: reader.secret, json: #"{"name":"x","scopes":["admin"]}"#).status == .forbidden)

                // Only the hash is stored.
                let listed = try await api.call(.get, "/v1/tokens")
                #expect(!listed.text.contains(reader.secret))
                #expect(listed.text.contains(reader.id))

                let revoked = try await api.call(.delete, "/v1/tokens/\(reader.id)")
                #expect(revoked.status == .ok)
                let afterRevoke = try await api.call(.get, "/v1/vehicles", token: reader.secret)
                #expect(afterRevoke.status == .unauthorized)
                #expect(afterRevoke.errorMessage.contains("revoked"))
                #expect(try await api.call(.delete, "/v1/tokens/tok_unknown").status == .notFound)

                // Rate limit: a fresh token has a burst of 30, refilled at 1/s. Requests go out one after another until
                // one is refused; whatever their pace (a busy machine makes them slow), by then at least the burst and
                // at most the burst plus one per elapsed second can have been served.
                let busy = try await api.createToken(name: "busy script", scopes: ["fleet:read"])
                let clock = ContinuousClock()
                let start = clock.now
                var served = 0
                var limited: API.Reply?
                while limited == nil, served < 300 {
                    let reply = try await api.call(.get, "/v1/tags", token: busy.secret)
                    if reply.status == .tooManyRequests {
                        limited = reply
                    } else {
                        #expect(reply.status == .ok)
                        served += 1
                    }
                }
                let elapsedSeconds = Int((clock.now - start).components.seconds) + 1
                let refused = try #require(limited)
                #expect(served >= 30)
                #expect(served <= 30 + elapsedSeconds)
                #expect(refused.headers[.retryAfter] != nil)
                #expect(refused.errorMessage.contains("Rate limit"))
                // Another token is not affected.
                #expect(try await api.call(.get, "/v1/tags").status == .ok)

                // A token with a budget of its own: 5 at once, refilled at 1/s, whatever the default.
                let own = try await api.call(.post, "/v1/tokens", json: #"{"name":"tight","scopes":["fleet:read"],"rate_limit":{"per_second":1,"burst":5}}"#)
                #expect(own.status == .created)
                #expect(own.text.contains(#""rate_limit":{"burst":5,"per_second":1}"#) || own.text.contains(#""per_second":1"#), "\(own.text)")
                let ownSecret = try #require(own.json["token"] as? String)
                var ownServed = 0
                while ownServed < 40, try await api.call(.get, "/v1/tags", token: ownSecret).status == .ok { ownServed += 1 }
                #expect((5...7).contains(ownServed), "served \(ownServed) with a burst of 5")
                #expect(try await api.call(.post, "/v1/tokens", json: #"{"name":"bad","scopes":["fleet:read"],"rate_limit":{"per_second":0,"burst":5}}"#).status == .badRequest)
            }
        }
    }

    @Test("Every command, tag and token change is in the audit log with who, what and from where")
    func auditEntries() async throws {
        let broker = try TestBroker()
        try await TestPostgres.withSchema { _, schema in
            try await ControlTest.withApp(broker: broker, schema: schema) { api in
                let vehicle = try TestVehicle("audited-1", broker: broker)
                try await vehicle.run {
                    try await api.waitForVehicle("audited-1")
                    let operatorToken = try await api.createToken(name: "operator", scopes: ["commands:write", "fleet:read"])
                    #expect(try await api.call(.put, "/v1/vehicles/audited-1/tags/depot-a", token: operatorToken.secret).status == .ok)
                    let created = try await api.call(.post, "/v1/vehicles/audited-1/commands", token: operatorToken.secret, json: #"{"action":"pause","reason":"audit me"}"#)
                    #expect(created.status == .accepted)
                    let fleet = try await api.call(.post, "/v1/fleet/commands", token: operatorToken.secret, json: #"{"action":"resume","tag":"depot-a"}"#)
                    #expect(fleet.status == .accepted, "\(fleet.text)")
                    #expect(try await api.call(.delete, "/v1/tokens/\(operatorToken.id)").status == .ok)

                    let audit = try await api.call(.get, "/v1/audit?limit=50")
                    #expect(audit.status == .ok)
                    let entries = audit.json["entries"] as? [[String: Any]] ?? []
                    let actions = entries.compactMap { $0["action"] as? String }
                    #expect(actions == ["token.revoke", "fleet_command.create", "command.create", "tag.add", "token.create"])
                    let command = try #require(entries.first { $0["action"] as? String == "command.create" })
                    #expect(command["actor_token_id"] as? String == operatorToken.id)
                    #expect(command["actor_name"] as? String == "operator")
                    #expect(command["target"] as? String == "vehicle:audited-1")
                    #expect((command["details"] as? String)?.contains("audit me") == true)
                    #expect(command["remote_address"] as? String == "127.0.0.1")
                    #expect(command["at"] is String)
                    let revoke = try #require(entries.first)
                    #expect(revoke["actor_token_id"] as? String == PostgresTokenRepository.bootstrapID)

                    let filtered = try await api.call(.get, "/v1/audit?action=tag.add")
                    #expect((filtered.json["entries"] as? [Any])?.count == 1)
                }
            }
        }
    }
}
