import Configuration
import FleetService
import FleetTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import NIOFoundationCompat
import Testing

@testable import FleetTracking

@Suite("fleet-tracking access control", .enabled(if: TestPostgres.isConfigured, "FLEET_POSTGRES_HOST is not set"), .timeLimit(.minutes(2)))
struct AccessTests {
    @Test("Every /v1 operation in docs/openapi/tracking.yaml: 401 without a token, 403 without its scope, neither with it")
    func accessMatrix() async throws {
        try await TrackingHarness.run { harness, apis, _ in
            let client = try #require((apis[0] as? AuthorizedTestClient)?.anonymous)
            try await AccessMatrix.check(document: "docs/openapi/tracking.yaml", client: client) { scopes in
                try await harness.identity.token(scopes: scopes)
            }
        }
    }
}

@Suite("fleet-tracking audit log", .enabled(if: TestPostgres.isConfigured, "FLEET_POSTGRES_HOST is not set"), .timeLimit(.minutes(2)))
struct AuditTests {
    @Test("Every write is in the audit log with who, what, outcome and from where; X-Forwarded-For only from a trusted proxy")
    func auditLog() async throws {
        for trusted in [false, true] {
            let extra: [AbsoluteConfigKey: ConfigValue] = trusted ? ["fleet.http.trustedProxies": "127.0.0.1"] : [:]
            try await TrackingHarness.run(extra: extra) { harness, apis, _ in
                let api = apis[0]
                let fence = #"{"type":"Feature","id":"dock","properties":{"name":"Dock"},"geometry":{"type":"Polygon","coordinates":[[[7.420,43.733],[7.428,43.733],[7.428,43.737],[7.420,43.737],[7.420,43.733]]]}}"#
                let writer = try await harness.identity.token(scopes: [.geofencesWrite], subject: "planner")
                let created = try await api.execute(
                    uri: "/v1/geofences", method: .post,
                    headers: [.authorization: "Bearer \(writer)", .contentType: "application/json", HTTPField.Name("X-Forwarded-For")!: "203.0.113.9"],
                    body: ByteBuffer(string: fence))
                #expect(created.status == .created, "\(String(buffer: created.body))")
                let reader = try await harness.identity.token(scopes: [.fleetRead], subject: "viewer")
                let denied = try await api.execute(uri: "/v1/geofences/dock", method: .delete, headers: [.authorization: "Bearer \(reader)"])
                #expect(denied.status == .forbidden)
                #expect(try await api.execute(uri: "/v1/audit", method: .get, headers: [.authorization: "Bearer \(reader)"]).status == .forbidden)

                let page = try await api.execute(uri: "/v1/audit", method: .get)
                #expect(page.status == .ok)
                let entries = try #require((try JSONSerialization.jsonObject(with: Data(buffer: page.body)) as? [String: Any])?["entries"] as? [[String: Any]])
                let create = try #require(entries.first { $0["action"] as? String == "POST /v1/geofences" }, "\(entries)")
                #expect(create["actor_token_id"] as? String == "oidc:planner")
                #expect(create["outcome"] as? String == "ok")
                #expect(create["target"] as? String == "/v1/geofences")
                #expect(create["remote_address"] as? String == (trusted ? "203.0.113.9" : "127.0.0.1"))
                #expect(create["at"] is String)
                let refused = try #require(entries.first { $0["action"] as? String == "DELETE /v1/geofences/{id}" }, "\(entries)")
                #expect(refused["actor_token_id"] as? String == "oidc:viewer")
                #expect(refused["outcome"] as? String == "denied")
                #expect(refused["target"] as? String == "/v1/geofences/dock")
                // Reads are not audited.
                #expect(!entries.contains { ($0["action"] as? String)?.hasPrefix("GET") == true })
            }
        }
    }
}
