/// Deletes finished commands (rejected, completed, failed, expired), with their transitions, once they have not changed
/// for the history retention (`FLEET_CONTROL_COMMAND_HISTORY_RETENTION_HOURS`). Run by ``DeliveryScanner`` next to the
/// idempotency-key prune; pending, sent and acknowledged commands are never touched.
struct CommandHistoryRetention: Sendable {
    let commands: any CommandRepository
    /// Seconds a finished command is kept after its last change.
    let retentionSeconds: Int
    let metrics: ControlMetrics
    /// Commands one statement deletes (each with its few transitions), so a large backlog never becomes one long
    /// transaction.
    var chunk = 5_000
    /// Statements per ``purge()``: the scanner's resends, expiries and desired states wait while it runs, so a large
    /// backlog (the first run after an upgrade, or after lowering the retention) is worked off over several passes.
    var maxChunks = 2

    init(commands: any CommandRepository, retentionHours: Int, metrics: ControlMetrics) {
        self.commands = commands
        self.retentionSeconds = retentionHours * 3_600
        self.metrics = metrics
    }

    /// Deletes up to `maxChunks` chunks, stopping at the first that is not full, counting each in
    /// `fleet_control_commands_purged_total` as it commits.
    /// - Returns: the commands deleted, and whether more may be left (the last chunk was full).
    func purge() async throws -> (purged: Int, more: Bool) {
        var total = 0
        for _ in 0..<maxChunks {
            let purged = try await commands.purgeFinishedCommands(olderThanSeconds: retentionSeconds, limit: chunk)
            metrics.commandsPurged(purged)
            total += purged
            if purged < chunk { return (total, false) }
        }
        return (total, true)
    }
}
