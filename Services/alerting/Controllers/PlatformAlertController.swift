import FleetCore
import FleetService
import Foundation
import Hummingbird
import Logging

/// `POST /v1/platform-alerts`: Alertmanager's webhook receiver. Each Prometheus alert becomes a fleet alert (rule
/// ``AlertRule/platform`` unless the operator has a rule for `platform_alert`), delivered through the same signed
/// webhooks as fleet alerts; a resolved notification resolves it. Scope `alerts:write`.
struct PlatformAlertController<Context: AuthenticatedRequestContext>: Sendable {
    let repository: any AlertRepository
    let rules: RuleBook
    let signal: WakeSignal
    let metrics: AlertingMetrics

    /// What one notification did.
    struct Result: ResponseCodable, Sendable, Equatable {
        /// Alerts taken (firing and resolved).
        var accepted: Int
        /// Alerts already applied before (Alertmanager's repeats).
        var duplicates: Int
        /// Fleet alerts that fired, and that resolved.
        var fired: Int
        var resolved: Int
        /// Alerts that were refused, with the reason.
        var refused: [String]
    }

    var endpoints: RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        routes.post(use: receive)
        return routes
    }

    @Sendable func receive(_ request: Request, context: Context) async throws -> Result {
        _ = try context.require(.alertsWrite)
        let notification: AlertmanagerNotification
        do {
            notification = try await JSONBody.decode(AlertmanagerNotification.self, from: request, context: context)
        } catch {
            metrics.invalidRequest("platform-alerts")
            throw error
        }
        guard notification.version == "4" else { throw invalid("version must be \"4\" (Alertmanager's webhook payload)") }
        guard !notification.alerts.isEmpty else { throw invalid("alerts must not be empty") }
        guard notification.alerts.count <= AlertmanagerNotification.maxAlerts else {
            throw invalid("at most \(AlertmanagerNotification.maxAlerts) alerts per notification")
        }
        let (events, refusals) = notification.events(receivedAt: Date())
        for refusal in refusals {
            metrics.platformAlert(status: Self.statusLabel(notification.alerts[refusal.index].status), outcome: "invalid")
        }
        // A notification of which nothing can be taken is the sender's mistake (Alertmanager does not retry a 4xx).
        guard !events.isEmpty else { throw invalid(refusals.map(\.description).joined(separator: "; ")) }

        // Within one notification an alert appears once, so its firing and its resolved alerts concern different
        // alerts and may be applied apart: that makes the duplicate count exact per status. If the second part fails
        // after the first committed, Alertmanager's retry finds the first part's ids applied and drops them.
        let effectiveRules = AlertRule.withPlatformDefault(await rules.current())
        var total = EventOutcome()
        for type in [FleetEventType.platformAlert, .platformAlertResolved] {
            let part = events.filter { $0.type == type }
            guard !part.isEmpty else { continue }
            let outcome: EventOutcome
            do {
                outcome = try await repository.apply(part, rules: effectiveRules)
            } catch {
                // A 5xx makes Alertmanager retry the notification.
                context.logger.error(
                    "Applying platform alerts failed", metadata: ["alerts": "\(part.count)", "error": "\(String(reflecting: error))"])
                throw HTTPError(.serviceUnavailable, message: "the alerts could not be stored; retry")
            }
            let status = type == .platformAlert ? "firing" : "resolved"
            metrics.platformAlert(status: status, outcome: "accepted", part.count - outcome.duplicates)
            metrics.platformAlert(status: status, outcome: "duplicate", outcome.duplicates)
            total.add(outcome)
        }
        metrics.applied(total)
        if total.deliveries > 0 { signal.fire() }
        return Result(
            accepted: events.count - total.duplicates, duplicates: total.duplicates, fired: total.fired, resolved: total.resolved,
            refused: refusals.map(\.description))
    }

    private static func statusLabel(_ status: String) -> String {
        status == "resolved" ? "resolved" : "firing"
    }

    private func invalid(_ message: String) -> HTTPError {
        metrics.invalidRequest("platform-alerts")
        return HTTPError(.badRequest, message: message)
    }
}
