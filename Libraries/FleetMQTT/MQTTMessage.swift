/// A message received on a subscription, copied out of libmosquitto's buffers.
public struct MQTTMessage: Sendable, Hashable {
    /// The concrete topic the message was published to.
    public var topic: String
    /// The raw payload bytes.
    public var payload: [UInt8]
    /// The QoS the message was delivered with.
    public var qos: MQTTQoS
    /// Whether the broker delivered it from its retained store.
    public var retain: Bool

    /// Creates a message value; mostly useful in tests.
    public init(topic: String, payload: [UInt8], qos: MQTTQoS, retain: Bool) {
        self.topic = topic
        self.payload = payload
        self.qos = qos
        self.retain = retain
    }

    /// The payload decoded as UTF-8 (invalid sequences are repaired).
    public var payloadString: String { String(decoding: payload, as: UTF8.self) }
}
