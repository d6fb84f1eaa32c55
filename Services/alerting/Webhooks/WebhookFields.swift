/// Fixed vocabularies of webhook subscriptions.
enum WebhookFields {
    /// Message types a webhook can filter on.
    static let eventTypes = ["alert.firing", "alert.acknowledged", "alert.resolved", "alert.escalated"]
    /// Headers a subscription may not override.
    static let reservedHeaders: Set<String> = [
        "host", "content-length", "content-type", "transfer-encoding", "connection", "user-agent",
        "webhook-id", "webhook-timestamp", "webhook-signature",
    ]
}
