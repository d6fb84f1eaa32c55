import Testing

/// Polls `condition` every 50 ms until it holds; records an issue and throws after `seconds` (a hang guard, not a speed
/// assertion). A condition that throws counts as not yet holding; the last error is reported on timeout.
public func eventually(
    _ what: String, seconds: Double = 30, sourceLocation: SourceLocation = #_sourceLocation, _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
    var lastError: (any Error)?
    while ContinuousClock.now < deadline {
        do {
            if try await condition() { return }
        } catch {
            lastError = error
        }
        try await Task.sleep(for: .milliseconds(50))
    }
    Issue.record("timed out waiting for \(what)\(lastError.map { " (last error: \($0))" } ?? "")", sourceLocation: sourceLocation)
    throw CancellationError()
}
