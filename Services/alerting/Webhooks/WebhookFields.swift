/// Fixed vocabularies of webhook subscriptions.
enum WebhookFields {
    /// The message announcing a finished fleet report (from a `report_ready` fleet event).
    static let reportReady = "report.ready"
    /// Message types a webhook can filter on.
    static let eventTypes = ["alert.firing", "alert.acknowledged", "alert.resolved", "alert.escalated", reportReady]
    /// Headers a subscription may not override.
    static let reservedHeaders: Set<String> = [
        "host", "content-length", "content-type", "transfer-encoding", "connection", "user-agent",
        "webhook-id", "webhook-timestamp", "webhook-signature",
    ]
}
