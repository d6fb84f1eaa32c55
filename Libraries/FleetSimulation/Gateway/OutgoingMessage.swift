public import FleetMQTT

/// A message the gateway wants published.
public struct OutgoingMessage: Sendable {
    /// Topic.
    public var topic: String
    /// Payload bytes.
    public var payload: [UInt8]
    /// QoS.
    public var qos: MQTTQoS
    /// Retain flag.
    public var retain: Bool
    /// What it is, for metrics.
    public var purpose: Purpose

    /// What a message is, for metrics (bounded label values).
    public enum Purpose: String, Sendable {
        case telemetry, state, ack, fault
    }
}

/// Messages published one after another, in order (one vehicle's samples, so they arrive in sequence order).
public struct PublishJob: Sendable {
    /// The messages, in publishing order.
    public var messages: [OutgoingMessage]
}
