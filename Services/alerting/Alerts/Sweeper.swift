import Logging
import ServiceLifecycle

/// Periodic work: escalates unacknowledged alerts, reloads rules changed by other replicas, updates outbox gauges.
struct Sweeper: Service {
    let alerts: any AlertRepository
    let ruleRepository: any RuleRepository
    let webhooks: any WebhookRepository
    let rules: RuleBook
    let breakers: CircuitBreakers
    let signal: DispatchSignal
    let interval: Duration
    let metrics: AlertingMetrics
    let logger: Logger

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await sweep()
            try? await Task.sleep(for: interval)
        }
    }

    /// One round; failures are logged and retried next round.
    func sweep() async {
        do {
            await rules.replace(with: try await ruleRepository.all().map(\.rule))
            let escalated = try await alerts.escalateDue(limit: 500)
            if !escalated.isEmpty {
                metrics.alerts("escalated", escalated.count)
                signal.notify()
            }
            metrics.outbox(try await webhooks.stats(), openCircuits: await breakers.openCount())
        } catch {
            logger.warning("Sweep failed", metadata: ["error": "\(String(reflecting: error))"])
        }
    }
}
