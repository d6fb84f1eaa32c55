/// An operation did not finish within its time limit.
public struct TimeoutError: Error, Sendable, CustomStringConvertible {
    /// The limit that was exceeded.
    public var timeout: Duration

    /// Creates an error for an operation that exceeded `timeout`.
    public init(timeout: Duration) {
        self.timeout = timeout
    }

    public var description: String { "Timed out after \(timeout)" }
}

/// Runs `operation`, cancelling it and throwing ``TimeoutError`` if it takes longer than `timeout`.
///
/// The operation must honour task cancellation for the timeout to return promptly.
func withTimeout<Result: Sendable>(
    _ timeout: Duration,
    _ operation: @escaping @Sendable () async throws -> Result
) async throws -> Result {
    try await withThrowingTaskGroup(of: Result.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: timeout)
            throw TimeoutError(timeout: timeout)
        }
        defer { group.cancelAll() }
        guard let result = try await group.next() else {
            throw CancellationError()
        }
        return result
    }
}
