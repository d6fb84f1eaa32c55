/// One dependency that must be healthy for a service to accept traffic.
///
/// The probe returns `true` when the dependency is usable. Returning `false`, throwing, or
/// not finishing within ``timeout`` all count as "down".
///
/// ```swift
/// let broker = ReadinessCheck("mqtt") { await mqttClient.isConnected }
/// let database = ReadinessCheck.postgres(postgresClient)
/// ```
public struct ReadinessCheck: Sendable {
    /// Dependency name reported by `/health/ready`, for example `postgres` or `mqtt`.
    public var name: String
    /// How long the probe may take before the dependency counts as down.
    public var timeout: Duration
    /// Answers whether the dependency is usable. Should honour task cancellation.
    public var probe: @Sendable () async throws -> Bool

    /// Default probe time limit: short, so a hung dependency cannot stall readiness probes.
    public static let defaultTimeout: Duration = .seconds(2)

    /// Creates a check.
    ///
    /// - Parameters:
    ///   - name: Dependency name reported by `/health/ready`.
    ///   - timeout: Probe time limit.
    ///   - probe: Returns `true` when the dependency is usable.
    public init(
        _ name: String,
        timeout: Duration = Self.defaultTimeout,
        probe: @escaping @Sendable () async throws -> Bool
    ) {
        self.name = name
        self.timeout = timeout
        self.probe = probe
    }

    /// Runs the probe under its time limit.
    ///
    /// - Returns: `nil` when the dependency is up, otherwise why it is down.
    public func evaluate() async -> String? {
        do {
            let isUp = try await withTimeout(timeout, probe)
            return isUp ? nil : "check reported not ready"
        } catch {
            return String(describing: error)
        }
    }
}
