import CMosquitto
import DequeModule
import Logging
import CoreMetrics
import Metrics
import Synchronization

extension MQTTClient {
    /// Subscribes to `filter` (wildcards and `$share/{group}/…` shared subscriptions allowed) and returns the messages.
    ///
    /// Returns when the broker grants the subscription (SUBACK). Without a connection the subscription is recorded and
    /// sent on connect. It is restored automatically after a reconnect whose session the broker did not keep.
    /// - Parameters:
    ///   - bufferCapacity: messages held for a slow consumer before `overflow` applies.
    ///   - overflow: drop and count, or apply back-pressure to the broker.
    ///   - noLocal: do not receive this client's own publishes.
    public func subscribe(
        to filter: String,
        qos: MQTTQoS = .atLeastOnce,
        bufferCapacity: Int = 10_000,
        overflow: MQTTOverflowPolicy = .dropNewest,
        noLocal: Bool = false
    ) async throws -> MQTTSubscription {
        guard mosquitto_sub_topic_check(filter) == MOSQ_ERR_SUCCESS.rawValue || filter.hasPrefix("$share/") else {
            throw MQTTError.invalidTopic(filter)
        }
        let options: Int32 = noLocal ? Int32(MQTT_SUB_OPT_NO_LOCAL.rawValue) : 0
        let buffer = MessageBuffer(capacity: bufferCapacity, policy: overflow)
        let identifier: UInt32 = try state.withLock { s in
            if s.finished { throw MQTTError.shutdown }
            let id = s.nextSubscriptionID
            s.nextSubscriptionID += 1
            s.subscriptions[id] = SubscriptionRecord(filter: filter, qos: qos, options: options, sent: false)
            return id
        }
        connection.context.routes.withLock {
            $0[identifier] = CallbackContext.Route(filter: filter, matchFilter: Self.matchFilter(filter), buffer: buffer)
        }
        let subscription = MQTTSubscription(filter: filter, identifier: identifier, buffer: buffer)
        do {
            let granted: [Int32]? = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[Int32]?, any Error>) in
                let outcome: Result<[Int32]?, any Error>? = state.withLock { s in
                    if s.finished { return .failure(MQTTError.shutdown) }
                    var mid: Int32 = 0
                    let rc = sendSubscribe(filter: filter, qos: qos, options: options, identifier: identifier, mid: &mid)
                    if rc == MOSQ_ERR_NO_CONN.rawValue { return .success(nil) }  // sent on connect
                    guard rc == MOSQ_ERR_SUCCESS.rawValue else {
                        return .failure(rc == MOSQ_ERR_INVAL.rawValue ? MQTTError.invalidTopic(filter) : libraryError("mosquitto_subscribe_v5", rc))
                    }
                    s.subscribeWaiters[mid] = (filter, continuation)
                    s.subscriptions[identifier]?.sent = true
                    return nil
                }
                if let outcome { continuation.resume(with: outcome) }
            }
            if let code = granted?.first, code >= 0x80 {
                throw MQTTError.subscriptionRejected(filter: filter, reasonCode: code, message: reasonString(code))
            }
        } catch {
            forget(identifier)
            buffer.finish()
            throw error
        }
        logger.debug("Subscribed", metadata: ["mqtt.filter": .string(filter), "mqtt.subscription_id": .stringConvertible(identifier)])
        return subscription
    }

    /// Subscribes for the duration of `body`, then unsubscribes.
    public func subscribe<Result: Sendable>(
        to filter: String,
        qos: MQTTQoS = .atLeastOnce,
        bufferCapacity: Int = 10_000,
        overflow: MQTTOverflowPolicy = .dropNewest,
        _ body: (MQTTSubscription) async throws -> Result
    ) async throws -> Result {
        let subscription = try await subscribe(to: filter, qos: qos, bufferCapacity: bufferCapacity, overflow: overflow)
        do {
            let result = try await body(subscription)
            try? await unsubscribe(subscription)
            return result
        } catch {
            try? await unsubscribe(subscription)
            throw error
        }
    }

    /// Ends a subscription: the broker stops sending, and its sequence finishes after the buffered messages.
    /// - Throws: ``MQTTError/notConnected`` when the connection is lost before the broker confirms (the subscription
    ///   is ended here either way, and not renewed on the next connection).
    public func unsubscribe(_ subscription: MQTTSubscription) async throws {
        // Not renewed on a reconnect any more; but messages the broker sent before its UNSUBACK are still routed
        // to the buffer until it arrives: with QoS 1 they are already acknowledged, so dropping them would lose them.
        state.withLock { _ = $0.subscriptions.removeValue(forKey: subscription.identifier) }
        defer {
            connection.context.routes.withLock { _ = $0.removeValue(forKey: subscription.identifier) }
            subscription.buffer.finish()
        }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let outcome: Result<Void, any Error>? = state.withLock { s in
                if s.finished { return .success(()) }
                var mid: Int32 = 0
                let rc = mosquitto_unsubscribe_v5(connection.handle, &mid, subscription.filter, nil)
                if rc == MOSQ_ERR_NO_CONN.rawValue { return .success(()) }
                guard rc == MOSQ_ERR_SUCCESS.rawValue else { return .failure(libraryError("mosquitto_unsubscribe_v5", rc)) }
                s.unsubscribeWaiters[mid] = continuation
                return nil
            }
            if let outcome { continuation.resume(with: outcome) }
        }
    }

    /// Removes `filter` from the broker's session although no subscription of this client holds it.
    ///
    /// A persistent session keeps the subscriptions an earlier version of a service made; the broker goes on sending
    /// their messages, which no buffer takes, until they are removed. Call it once connected.
    /// - Throws: ``MQTTError`` when the client is not connected (retry later) or the broker refuses.
    public func unsubscribe(filter: String) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let outcome: Result<Void, any Error>? = state.withLock { s in
                if s.finished { return .success(()) }
                var mid: Int32 = 0
                let rc = mosquitto_unsubscribe_v5(connection.handle, &mid, filter, nil)
                guard rc == MOSQ_ERR_SUCCESS.rawValue else { return .failure(libraryError("mosquitto_unsubscribe_v5", rc)) }
                s.unsubscribeWaiters[mid] = continuation
                return nil
            }
            if let outcome { continuation.resume(with: outcome) }
        }
    }

    /// Sends SUBSCRIBE with the subscription identifier that routes incoming messages to their buffer.
    func sendSubscribe(filter: String, qos: MQTTQoS, options: Int32, identifier: UInt32, mid: inout Int32) -> Int32 {
        var properties: OpaquePointer? = nil
        defer { mosquitto_property_free_all(&properties) }
        mosquitto_property_add_varint(&properties, subscriptionIdentifierProperty, identifier)
        return mosquitto_subscribe_v5(connection.handle, &mid, filter, qos.rawValue, options, properties)
    }

    private func forget(_ identifier: UInt32) {
        state.withLock { _ = $0.subscriptions.removeValue(forKey: identifier) }
        connection.context.routes.withLock { _ = $0.removeValue(forKey: identifier) }
    }

    /// `$share/{group}/{filter}` delivers messages on topics matching `{filter}`.
    static func matchFilter(_ filter: String) -> String {
        guard filter.hasPrefix("$share/") else { return filter }
        let parts = filter.split(separator: "/", maxSplits: 2, omittingEmptySubsequences: false)
        return parts.count == 3 ? String(parts[2]) : filter
    }
}
