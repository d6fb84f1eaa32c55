/// MQTT delivery guarantee for a publish or a subscription.
public enum MQTTQoS: Int32, Sendable, Hashable, CaseIterable {
    /// Fire and forget: no acknowledgement, may be lost.
    case atMostOnce = 0
    /// Acknowledged by the broker (PUBACK); may be delivered more than once.
    case atLeastOnce = 1
    /// Four-way handshake; delivered exactly once.
    case exactlyOnce = 2
}
