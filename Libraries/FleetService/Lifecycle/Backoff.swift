import ServiceLifecycle

/// Exponential backoff: `initial`, doubled per attempt, capped at `maximum`.
public struct Backoff: Sendable, Equatable {
    /// The first delay.
    public var initial: Duration
    /// The longest delay.
    public var maximum: Duration

    /// Creates a backoff.
    public init(initial: Duration = .milliseconds(100), maximum: Duration = .seconds(5)) {
        precondition(initial > .zero && maximum >= initial, "backoff needs 0 < initial <= maximum")
        self.initial = initial
        self.maximum = maximum
    }

    /// The delay after failed attempt `attempt` (1 for the first failure).
    public func delay(afterAttempt attempt: Int) -> Duration {
        let doublings = min(max(attempt - 1, 0), 30)
        let delay = initial * (1 << doublings)
        return min(delay, maximum)
    }
}

/// Runs `body` until it succeeds, sleeping per `backoff` between attempts; `onFailure` sees each error and its
/// attempt number first (to log and count it). Gives up only when the task is cancelled or graceful shutdown began,
/// rethrowing the last error.
///
/// The one retry loop of the suite's consumers: use it instead of writing a `while true { do … catch sleep }`.
public func retryingUntilSuccess<T: Sendable>(
    backoff: Backoff = Backoff(),
    onFailure: (_ attempt: Int, _ error: any Error) -> Void,
    _ body: () async throws -> T
) async throws -> T {
    var attempt = 0
    while true {
        do {
            return try await body()
        } catch {
            attempt += 1
            onFailure(attempt, error)
            if Task.isCancelled || Task.isShuttingDownGracefully { throw error }
            do {
                try await Task.sleep(for: backoff.delay(afterAttempt: attempt))
            } catch {
                throw error
            }
        }
    }
}
