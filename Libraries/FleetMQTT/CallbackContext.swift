import Synchronization

/// The object libmosquitto hands back to every callback (as its `userdata` pointer).
/// It holds only `let`s: the event continuation and the routing table of subscription buffers,
/// so a callback can copy a message, find its buffer, push, and return.
final class CallbackContext: Sendable {
    let events: AsyncStream<ClientEvent>.Continuation
    /// Subscription identifier → buffer. Written by the client when subscribing, read by the network thread.
    let routes: Mutex<[UInt32: Route]>
    /// Set by the CONNACK callback; read by the network thread to reset its backoff.
    let connected = Atomic<Bool>(false)
    /// Messages delivered so far; the network thread compares it across a loop pass to see whether it read anything.
    let deliveries = Atomic<UInt64>(0)
    /// Thread-safe counters; incremented on the network thread for received and dropped messages.
    let metrics: MQTTMetrics

    struct Route: Sendable {
        var filter: String
        /// The filter without a `$share/{group}/` prefix, for matching messages that carry no identifier.
        var matchFilter: String
        var buffer: MessageBuffer
    }

    init(events: AsyncStream<ClientEvent>.Continuation, metrics: MQTTMetrics) {
        self.events = events
        self.metrics = metrics
        self.routes = Mutex([:])
    }
}
