import FleetCore
import Logging
import PostgresNIO

extension PostgresAlertRepository {
    /// Queues, inside the caller's transaction, one `report.ready` message per `report_ready` event for every enabled
    /// webhook whose `event_types` is empty or lists `report.ready` (reports have no severity: `min_severity` does not
    /// apply). The caller has recorded the events' ids, so a republished event never gets here twice.
    ///
    /// An event whose attributes break the contract is logged and skipped: the consumer refuses those before they are
    /// queued, and throwing here would roll back and retry the batch for ever.
    func announce(_ events: [FleetEvent], on connection: PostgresConnection) async throws -> EventOutcome {
        var messages: [Outbox.Message] = []
        for event in events {
            do throws(ReportEventError) {
                let report = try WebhookPayload.ReportContext(event: event)
                messages.append(Outbox.Message(payload: .report(report, event: event), severity: nil, alertID: nil))
            } catch {
                logger.warning(
                    "Skipped a report_ready event that breaks the contract",
                    metadata: ["event.id": "\(event.id)", "error": "\(error)"])
            }
        }
        var outcome = EventOutcome()
        outcome.reportMessages = try await Outbox.enqueue(messages, schema: schema, on: connection, logger: logger)
        outcome.deliveries = outcome.reportMessages
        return outcome
    }
}
