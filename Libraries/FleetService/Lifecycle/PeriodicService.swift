import Logging
import ServiceLifecycle

/// A `Service` that runs `work` every `interval` until graceful shutdown; a failing run is logged and the next one
/// comes at the next interval. The one periodic loop of the suite (sweeps, upkeep, scans).
public struct PeriodicService: Service {
    /// What the service does, for logs.
    public let name: String
    /// Time between the end of one run and the start of the next.
    public let interval: Duration
    /// Whether the first run happens at once (true) or after one interval.
    public let runsImmediately: Bool
    /// Woken early by ``WakeSignal/fire()``, when given.
    public let wake: WakeSignal?
    private let logger: Logger
    private let work: @Sendable () async throws -> Void

    /// Creates the service.
    public init(
        name: String, interval: Duration, runsImmediately: Bool = true, wake: WakeSignal? = nil, logger: Logger,
        work: @escaping @Sendable () async throws -> Void
    ) {
        self.name = name
        self.interval = interval
        self.runsImmediately = runsImmediately
        self.wake = wake
        self.logger = logger
        self.work = work
    }

    /// Runs until graceful shutdown. Shutdown ends the pause between runs at once, but a run in progress is left to
    /// finish: cancelling it would cut a database transaction or a delivery short (only a hard cancellation, when the
    /// service group's shutdown deadline passes, does that).
    public func run() async throws {
        var first = true
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            if !(first && runsImmediately) { await cancelWhenGracefulShutdown { await pause() } }
            first = false
            if Task.isCancelled || Task.isShuttingDownGracefully { break }
            do {
                try await work()
            } catch {
                if Task.isCancelled { break }
                logger.error("\(name) failed; next run in \(interval)", metadata: ["error": "\(String(reflecting: error))"])
            }
        }
    }

    private func pause() async {
        if let wake {
            await wake.wait(timeout: interval)
        } else {
            try? await Task.sleep(for: interval)
        }
    }
}
