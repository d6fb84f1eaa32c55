import FleetService
import FleetTestSupport
import Testing

@testable import FleetAlerting

@Suite("fleet-alerting access control", .enabled(if: TestPostgres.isConfigured, "FLEET_POSTGRES_HOST is not set"), .timeLimit(.minutes(2)))
struct AccessTests {
    @Test("Every /v1 operation in docs/openapi/alerting.yaml: 401 without a token, 403 without its scope, neither with it")
    func accessMatrix() async throws {
        try await withAlertingHarness { harness in
            try await harness.runWithIdentity { client, identity in
                let anonymous = try #require((client as? AuthorizedTestClient)?.anonymous)
                try await AccessMatrix.check(document: "docs/openapi/alerting.yaml", client: anonymous) { scopes in
                    try await identity.token(scopes: scopes)
                }
            }
        }
    }
}
