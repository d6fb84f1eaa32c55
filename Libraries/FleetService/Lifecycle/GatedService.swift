import ServiceLifecycle

/// Runs `base` once the ``StartupGate`` opens; returns without running it when shutdown comes first.
///
/// The wait is cancelled by graceful shutdown, so nothing is left waiting behind the service group.
public struct GatedService: Service {
    /// The gate to wait for.
    public let gate: StartupGate
    /// The service to run after it.
    public let base: any Service

    /// Creates the wrapper.
    public init(gate: StartupGate, base: any Service) {
        self.gate = gate
        self.base = base
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown { await gate.wait() }
        guard gate.isOpen, !Task.isShuttingDownGracefully, !Task.isCancelled else { return }
        try await base.run()
    }
}
