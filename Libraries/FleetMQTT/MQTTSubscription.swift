/// The messages of one subscription, as an `AsyncSequence`.
///
/// The sequence ends when the subscription is cancelled, the client shuts down, or the iterating task is cancelled.
/// It has one consumer; iterate it from one task.
public struct MQTTSubscription: AsyncSequence, Sendable {
    public typealias Element = MQTTMessage

    /// The filter as subscribed, including any `$share/{group}/` prefix.
    public let filter: String
    /// The MQTT v5 subscription identifier the client assigned.
    public let identifier: UInt32
    let buffer: MessageBuffer

    /// Messages dropped so far because the consumer fell behind (only with ``MQTTOverflowPolicy/dropNewest``).
    public var droppedCount: Int { buffer.droppedCount }
    /// Messages received and waiting for the consumer.
    public var bufferedCount: Int { buffer.depth }

    public func makeAsyncIterator() -> Iterator { Iterator(buffer: buffer) }

    public struct Iterator: AsyncIteratorProtocol {
        let buffer: MessageBuffer
        public mutating func next() async -> MQTTMessage? { await buffer.next() }
    }
}
