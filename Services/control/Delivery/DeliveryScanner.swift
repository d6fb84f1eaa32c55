import FleetService
import Logging
import ServiceLifecycle

/// Resends due commands (QoS 1) with exponential backoff, publishes unpublished desired states, and expires commands
/// past their TTL: every scan interval, or at once when woken (a vehicle came online, a batch was full). Hourly, it
/// also forgets old idempotency keys and deletes finished commands past the history retention.
struct DeliveryScanner: Service {
    let delivery: CommandDelivery
    let notifier: CommandNotifier
    let configuration: ControlConfiguration
    let logger: Logger

    private var commands: any CommandRepository { delivery.commands }

    func run() async throws {
        await cancelWhenGracefulShutdown { await scanLoop() }
    }

    private func scanLoop() async {
        var lastPrune = ContinuousClock.now
        let scanInterval = Duration.milliseconds(configuration.scanIntervalMilliseconds)
        var lastExpiry = ContinuousClock.now - scanInterval
        let retention = CommandHistoryRetention(
            commands: commands, retentionHours: configuration.commandHistoryRetentionHours, metrics: delivery.metrics)
        // Set while finished commands past the retention may be left: a few chunks go per pass until none are. From
        // the first pass on, so a replica restarted more often than hourly still purges.
        var purging = true
        await withDiscardingTaskGroup { publishes in
            while !Task.isCancelled {
                do {
                    // Vehicles coming online and full batches wake the loop early; expiry need not run on every wake-up.
                    let expire = ContinuousClock.now - lastExpiry >= scanInterval
                    try await pass(publishes: &publishes, expire: expire)
                    if expire { lastExpiry = .now }
                    if ContinuousClock.now - lastPrune > .seconds(3600) {
                        try await commands.pruneIdempotencyKeys(olderThanSeconds: 86_400)
                        lastPrune = .now
                        purging = true
                    }
                    if purging {
                        // A failed purge stays due and is tried again on the next pass.
                        purging = try await retention.purge().more
                    }
                } catch {
                    if Task.isCancelled { break }
                    logger.error("Delivery pass failed; retrying", metadata: ["error": "\(String(reflecting: error))"])
                }
                await delivery.scan.wait(timeout: scanInterval)
            }
            publishes.cancelAll()
        }
    }

    private func pass(publishes: inout DiscardingTaskGroup, expire: Bool) async throws {
        let limit = CommandDelivery.batchLimit
        // Both reads at once; due commands are published first.
        async let unpublished = commands.unpublishedDesiredStates(limit: limit)
        let due = try await commands.claimDue(
            limit: limit,
            initialBackoff: configuration.resendInitialDelay,
            maxBackoff: Double(configuration.resendMaxMilliseconds) / 1000
        )
        for item in due {
            if delivery.startPublishing(item.command, in: &publishes), item.attempt > 1 { delivery.metrics.resends() }
        }
        for desired in try await unpublished {
            delivery.startPublishing(desired, in: &publishes)
        }
        if expire {
            for id in try await commands.expireDue() {
                delivery.metrics.transition(.expired)
                notifier.notify(id)
            }
        }
        // A full batch means more may be due: go round again without waiting.
        if due.count == limit { delivery.scan.fire() }
    }
}
