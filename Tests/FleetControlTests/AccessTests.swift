import FleetService
import FleetTestSupport
import Testing

@testable import FleetControl

@Suite("fleet-control access control", .enabled(if: TestPostgres.isConfigured, "FLEET_POSTGRES_HOST is not set"), .timeLimit(.minutes(2)))
struct AccessTests {
    @Test("Every /v1 operation in docs/openapi/control.yaml: 401 without a token, 403 without its scope, neither with it (suite tokens)")
    func accessMatrix() async throws {
        let broker = try TestBroker()
        try await TestPostgres.withSchema { _, schema in
            try await ControlTest.withApp(broker: broker, schema: schema) { api in
                try await AccessMatrix.check(document: "docs/openapi/control.yaml", client: api.client) { scopes in
                    try await api.createToken(name: "matrix", scopes: scopes.map(\.rawValue)).secret
                }
            }
        }
    }
}
