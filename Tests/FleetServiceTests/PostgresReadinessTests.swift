import FleetService
import FleetTestSupport
import PostgresNIO
import Testing

@Suite("Postgres readiness (no database)")
struct PostgresReadinessTests {
    @Test("An unreachable database is reported down")
    func unreachable() async throws {
        // Port 1 on loopback: nothing listens there, connections are refused.
        let configuration = PostgresConfiguration(port: 1, connectTimeout: .seconds(1))
        let client = PostgresClient(configuration: configuration.clientConfiguration(), backgroundLogger: silentLogger)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            let failure = await ReadinessCheck.postgres(client, timeout: .milliseconds(500)).evaluate()
            #expect(failure != nil)
        }
    }
}
