import ServiceLifecycle

/// Calls `flush` every `interval` until graceful shutdown or cancellation, then once more, so what was recorded just
/// before the end still goes out: the loop of publishers that batch what they send (commit acknowledgements, the
/// position stream).
public func flushingPeriodically(every interval: Duration, _ flush: () async -> Void) async {
    while !Task.isShuttingDownGracefully && !Task.isCancelled {
        try? await Task.sleep(for: interval)
        await flush()
    }
    await flush()
}
