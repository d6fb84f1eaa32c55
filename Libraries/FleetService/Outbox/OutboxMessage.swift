import FleetCore

/// One message waiting in a service's ``EventOutbox`` to be published at least once.
public struct OutboxMessage: Sendable, Equatable {
    /// The message's own id; a republished message carries the same id, so consumers can drop duplicates by it.
    public var id: String
    /// The MQTT topic.
    public var topic: String
    /// The encoded payload.
    public var payload: [UInt8]

    /// Creates a message.
    public init(id: String, topic: String, payload: [UInt8]) {
        self.id = id
        self.topic = topic
        self.payload = payload
    }

    /// A fleet event on `fleet/v1/events/{type}`, JSON-encoded.
    public init(event: FleetEvent) throws {
        self.init(id: event.id.rawValue, topic: FleetTopics.events(event.type), payload: try FleetCodec.encode(event))
    }
}
