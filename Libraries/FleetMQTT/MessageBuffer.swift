import DequeModule
import Dispatch
import Synchronization

/// What a subscription does when its consumer falls behind and the buffer is full.
public enum MQTTOverflowPolicy: Sendable, Hashable {
    /// Drop the incoming message and count it (`fleet_mqtt_messages_dropped_total`). For live views.
    case dropNewest
    /// Stop reading from the socket until the consumer makes room, so the broker queues for us instead.
    /// Nothing is lost, but every subscription and acknowledgement on this client waits meanwhile:
    /// do not await a QoS 1 publish on the same client from inside the consuming loop.
    case backPressure
}

/// A bounded single-consumer queue between libmosquitto's network thread (producer) and one async consumer.
final class MessageBuffer: Sendable {
    private struct State {
        var messages: Deque<MQTTMessage> = []
        var waiter: CheckedContinuation<MQTTMessage?, Never>?
        var consumerCancelled = false
        var blockedProducers = 0
        var finished = false
        var dropped = 0
    }

    let capacity: Int
    let policy: MQTTOverflowPolicy
    private let state = Mutex(State())
    private let space = DispatchSemaphore(value: 0)

    init(capacity: Int, policy: MQTTOverflowPolicy) {
        self.capacity = max(1, capacity)
        self.policy = policy
    }

    /// Messages dropped so far because the buffer was full (or the subscription had ended).
    var droppedCount: Int { state.withLock { $0.dropped } }

    /// Messages waiting for the consumer.
    var depth: Int { state.withLock { $0.messages.count } }

    /// Called on libmosquitto's thread. Returns `false` when the message was dropped.
    func push(_ message: MQTTMessage) -> Bool {
        while true {
            enum Outcome { case delivered(CheckedContinuation<MQTTMessage?, Never>), queued, dropped, wait }
            let outcome: Outcome = state.withLock { s in
                if s.finished { s.dropped += 1; return .dropped }
                if let waiter = s.waiter {
                    s.waiter = nil
                    return .delivered(waiter)
                }
                if s.messages.count < capacity {
                    s.messages.append(message)
                    return .queued
                }
                switch policy {
                case .dropNewest:
                    s.dropped += 1
                    return .dropped
                case .backPressure:
                    s.blockedProducers += 1
                    return .wait
                }
            }
            switch outcome {
            case .delivered(let waiter):
                waiter.resume(returning: message)
                return true
            case .queued:
                return true
            case .dropped:
                return false
            case .wait:
                space.wait()
            }
        }
    }

    /// Ends the stream: the consumer drains what is queued, then sees `nil`; blocked producers are released.
    func finish() {
        let (waiter, blocked) = state.withLock { s -> (CheckedContinuation<MQTTMessage?, Never>?, Int) in
            s.finished = true
            let w = s.messages.isEmpty ? s.waiter : nil
            if w != nil { s.waiter = nil }
            let b = s.blockedProducers
            s.blockedProducers = 0
            return (w, b)
        }
        waiter?.resume(returning: nil)
        for _ in 0..<blocked { space.signal() }
    }

    /// The next message, or `nil` once finished and drained, or when the consuming task is cancelled.
    func next() async -> MQTTMessage? {
        enum Ready { case message(MQTTMessage), end, wait }
        switch state.withLock({ s -> Ready in
            if let m = pop(&s) { return .message(m) }
            return s.finished ? .end : .wait
        }) {
        case .message(let m): return m
        case .end: return nil
        case .wait: break
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<MQTTMessage?, Never>) in
                let immediate: MQTTMessage?? = state.withLock { s in
                    if let m = pop(&s) { return .some(m) }
                    if s.finished || s.consumerCancelled { return .some(nil) }
                    s.waiter = continuation
                    return .none
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            let waiter = state.withLock { s -> CheckedContinuation<MQTTMessage?, Never>? in
                s.consumerCancelled = true
                defer { s.waiter = nil }
                return s.waiter
            }
            waiter?.resume(returning: nil)
        }
    }

    /// Takes the oldest message and, having made room, releases one producer blocked by back-pressure.
    private func pop(_ s: inout State) -> MQTTMessage? {
        guard let m = s.messages.popFirst() else { return nil }
        if s.blockedProducers > 0 {
            s.blockedProducers -= 1
            space.signal()
        }
        return m
    }
}
