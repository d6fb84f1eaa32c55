/// How long webhook deliveries that ended are kept, and the sweep's purge of the older ones.
///
/// Only the two statuses a delivery ends in are ever purged: pending and delivering rows are the outbox itself. A
/// delivery's age is that of its last change: its last attempt, or its creation when it never had one.
struct DeliveryRetention: Sendable {
    /// The statuses a delivery ends in: the only ones purged.
    enum Status: String, Sendable, CaseIterable {
        case delivered
        case dead
    }

    /// Delivered messages are kept this long (`FLEET_ALERTING_DELIVERED_RETENTION_HOURS`).
    var delivered: Duration
    /// Dead letters are kept this long (`FLEET_ALERTING_DEAD_RETENTION_HOURS`), longer by default: operators inspect
    /// and replay them.
    var dead: Duration
    /// Rows one statement deletes, so a large backlog never becomes one long transaction.
    var chunk = 10_000
    /// Statements per status in one ``purge(_:metrics:)``: the same sweep escalates alerts, so a large backlog (the
    /// first sweep after an upgrade, or after lowering a retention) is worked off over several sweeps instead of
    /// holding one up.
    var maxChunks = 5

    /// The retention of `status`.
    func age(of status: Status) -> Duration {
        switch status {
        case .delivered: delivered
        case .dead: dead
        }
    }

    /// Deletes the deliveries past their retention, `chunk` rows per statement until one deletes fewer (or `maxChunks`
    /// ran), counting each statement's rows in `fleet_alerting_deliveries_purged_total` as it commits.
    /// - Returns: the rows deleted per status.
    @discardableResult
    func purge(_ webhooks: any WebhookRepository, metrics: AlertingMetrics) async throws -> [Status: Int] {
        var purged: [Status: Int] = [:]
        for status in Status.allCases {
            var total = 0
            for _ in 0..<maxChunks {
                let deleted = try await webhooks.purgeEnded(status, olderThan: age(of: status), limit: chunk)
                metrics.deliveriesPurged(status, deleted)
                total += deleted
                if deleted < chunk { break }
            }
            purged[status] = total
        }
        return purged
    }
}
