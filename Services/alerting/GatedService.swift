import ServiceLifecycle

/// Runs `base` after the ``StartupGate`` opens (or returns at shutdown if it never does).
struct GatedService: Service {
    let gate: StartupGate
    let base: any Service

    func run() async throws {
        let opened: Bool = await withGracefulShutdownHandler {
            await gate.wait()
            return true
        } onGracefulShutdown: {
            Task { await gate.open() }
        }
        guard opened, !Task.isShuttingDownGracefully else { return }
        try await base.run()
    }
}
