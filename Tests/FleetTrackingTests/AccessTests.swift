import FleetService
import FleetTestSupport
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
