import FleetService
import Logging

/// Periodic work (run by a `PeriodicService`): escalates unacknowledged alerts, reloads rules changed by other
/// replicas, updates outbox gauges, forgets old event ids and deletes ended deliveries past their retention.
struct Sweeper: Sendable {
    let alerts: any AlertRepository
    let ruleRepository: any RuleRepository
    let webhooks: any WebhookRepository
    let retention: DeliveryRetention
    let rules: RuleBook
    let breakers: CircuitBreakers
    let signal: WakeSignal
    let metrics: AlertingMetrics
    let logger: Logger

    /// One round; failures are logged and retried next round.
    func sweep() async {
        do {
            await rules.replace(with: try await ruleRepository.all().map(\.rule))
            let escalated = try await alerts.escalateDue(limit: 500)
            if !escalated.isEmpty {
                metrics.alerts("escalated", escalated.count)
                signal.fire()
            }
            metrics.outbox(try await webhooks.stats(), openCircuits: await breakers.openCount())
            _ = try await alerts.pruneSeenEvents(olderThanSeconds: 86_400)
            // Last: the alert work above is done even while a large backlog of old deliveries is being deleted.
            try await retention.purge(webhooks, metrics: metrics)
        } catch {
            logger.warning("Sweep failed", metadata: ["error": "\(String(reflecting: error))"])
        }
    }
}
