import PostgresNIO

extension ReadinessCheck {
    /// Ready when the database answers `SELECT 1` within `timeout`.
    ///
    /// - Parameters:
    ///   - client: A running `PostgresClient` (added to the application's services).
    ///   - name: Dependency name reported by `/health/ready`.
    ///   - timeout: Probe time limit, including waiting for a pooled connection.
    public static func postgres(
        _ client: PostgresClient,
        name: String = "postgres",
        timeout: Duration = Self.defaultTimeout
    ) -> ReadinessCheck {
        ReadinessCheck(name, timeout: timeout) {
            let rows = try await client.query("SELECT 1")
            for try await value in rows.decode(Int32.self) {
                return value == 1
            }
            return false
        }
    }
}
