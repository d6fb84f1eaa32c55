/// `operation` took longer than its deadline and was cancelled.
public struct DeadlineExceeded: Error, CustomStringConvertible {
    /// The deadline it had.
    public var limit: Duration
    public var description: String { "operation did not finish within \(limit)" }
}

/// Runs `operation`, cancelling it and throwing ``DeadlineExceeded`` when it has not finished after `limit`: a call that
/// waits on something that will never answer (a connection that died under it) cannot stall its loop for ever. The
/// operation must honour cancellation for the deadline to take effect.
public func withDeadline<T: Sendable>(_ limit: Duration, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else { throw DeadlineExceeded(limit: limit) }
        return value
    }
}
