import FleetCore
import FleetMQTT
import Synchronization

/// Messages of one MQTT subscription, collected in the background and queried with deadlines.
public final class Collector: Sendable {
    /// The messages received so far, shared with the receiving task.
    final class Store: Sendable {
        let messages = Mutex<[MQTTMessage]>([])
    }

    let store = Store()
    let task: Task<Void, Never>

    /// Starts collecting `subscription`.
    public init(_ subscription: MQTTSubscription) {
        let store = store
        task = Task {
            for await message in subscription { store.messages.withLock { $0.append(message) } }
        }
    }

    deinit { task.cancel() }

    /// Everything received so far, in arrival order.
    public var all: [MQTTMessage] { store.messages.withLock { $0 } }

    /// Waits (polling) until `condition` holds for the messages so far, or `timeout` passes; returns whether it held.
    @discardableResult
    public func wait(timeout: Duration = .seconds(20), until condition: ([MQTTMessage]) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition(all) { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return condition(all)
    }
}

extension Collector {
    /// Decoded fleet events of `type` (all types when nil), in arrival order.
    public func events(_ type: FleetEventType? = nil, vehicle: String? = nil) -> [FleetEvent] {
        all.compactMap { try? FleetCodec.decode(FleetEvent.self, from: $0.payload) }
            .filter { type == nil || $0.type == type }
            .filter { vehicle == nil || $0.vehicleID?.rawValue == vehicle }
    }
}
