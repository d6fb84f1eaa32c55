import CMosquitto
import DequeModule
import Logging
import CoreMetrics
import Metrics
import Synchronization

extension MQTTClient {
    /// Publishes `payload` to `topic`.
    ///
    /// - QoS 0 returns once libmosquitto has queued the packet; it throws ``MQTTError/notConnected`` without a connection.
    /// - QoS 1 returns when the broker's PUBACK arrives (QoS 2: PUBCOMP). Without a connection the message is kept and
    ///   sent after the reconnect, so the call simply waits longer. A failure reason code (e.g. 0x87 not authorised)
    ///   throws ``MQTTError/publishRejected(topic:reasonCode:message:)``.
    public func publish(_ payload: [UInt8], to topic: String, qos: MQTTQoS = .atLeastOnce, retain: Bool = false) async throws {
        if qos == .atMostOnce {
            var mid: Int32 = 0
            let rc = sendPublish(payload, topic: topic, qos: qos, retain: retain, mid: &mid)
            guard rc == MOSQ_ERR_SUCCESS.rawValue else {
                metrics.publishFailures.increment()
                throw publishError(rc, topic: topic, size: payload.count)
            }
            metrics.published.increment()
            return
        }
        try await acquirePublishSlot()
        do {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                // Publish and register under one lock, so the acknowledgement handler (which takes the same lock)
                // cannot see the PUBACK before the continuation is registered.
                let failure: (any Error)? = state.withLock { s in
                    if s.finished { return MQTTError.shutdown }
                    var mid: Int32 = 0
                    let rc = sendPublish(payload, topic: topic, qos: qos, retain: retain, mid: &mid)
                    // NO_CONN: libmosquitto keeps QoS > 0 messages and sends them after the reconnect.
                    guard rc == MOSQ_ERR_SUCCESS.rawValue || rc == MOSQ_ERR_NO_CONN.rawValue else {
                        return publishError(rc, topic: topic, size: payload.count)
                    }
                    s.publishes[mid] = PendingPublish(topic: topic, continuation: continuation)
                    return nil
                }
                if let failure {
                    continuation.resume(throwing: failure)
                } else {
                    metrics.published.increment()
                }
            }
            releasePublishSlot()
        } catch {
            releasePublishSlot()
            metrics.publishFailures.increment()
            throw error
        }
    }

    /// Publishes a UTF-8 string. See ``publish(_:to:qos:retain:)-([UInt8],_,_,_)``.
    public func publish(_ payload: String, to topic: String, qos: MQTTQoS = .atLeastOnce, retain: Bool = false) async throws {
        try await publish(Array(payload.utf8), to: topic, qos: qos, retain: retain)
    }

    /// QoS 1/2 publishes currently waiting for their acknowledgement.
    public var outstandingPublishes: Int { state.withLock { $0.outstanding } }

    func completePublish(mid: Int32, reasonCode: Int32) {
        // QoS 0 publishes also report here; they were never registered and are ignored.
        guard let pending = state.withLock({ $0.publishes.removeValue(forKey: mid) }) else { return }
        if reasonCode >= 0x80 {
            pending.continuation.resume(throwing: MQTTError.publishRejected(topic: pending.topic, reasonCode: reasonCode, message: reasonString(reasonCode)))
        } else {
            metrics.acknowledged.increment()
            pending.continuation.resume()
        }
    }

    private func sendPublish(_ payload: [UInt8], topic: String, qos: MQTTQoS, retain: Bool, mid: inout Int32) -> Int32 {
        payload.withUnsafeBytes { bytes in
            mosquitto_publish_v5(connection.handle, &mid, topic, Int32(bytes.count), bytes.baseAddress, qos.rawValue, retain, nil)
        }
    }

    private func publishError(_ rc: Int32, topic: String, size: Int) -> MQTTError {
        switch rc {
        case MOSQ_ERR_NO_CONN.rawValue: .notConnected
        case MOSQ_ERR_INVAL.rawValue, MOSQ_ERR_MALFORMED_UTF8.rawValue: .invalidTopic(topic)
        case MOSQ_ERR_PAYLOAD_SIZE.rawValue: .payloadTooLarge(size: size, limit: Int(MQTT_MAX_PAYLOAD))
        case MOSQ_ERR_OVERSIZE_PACKET.rawValue: .payloadTooLarge(size: size, limit: Int(configuration.maximumPacketSize ?? 0))
        default: libraryError("mosquitto_publish_v5", rc)
        }
    }

    private func acquirePublishSlot() async throws {
        let acquired: Bool = try state.withLock { s in
            if s.finished { throw MQTTError.shutdown }
            if s.outstanding < configuration.maxOutstandingPublishes {
                s.outstanding += 1
                return true
            }
            return false
        }
        if acquired {
            metrics.outstanding.record(Double(outstandingPublishes))
            return
        }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let ready: Result<Void, any Error>? = state.withLock { s in
                if s.finished { return .failure(MQTTError.shutdown) }
                if s.outstanding < configuration.maxOutstandingPublishes {
                    s.outstanding += 1
                    return .success(())
                }
                s.slotWaiters.append(continuation)
                return nil
            }
            if let ready { continuation.resume(with: ready) }
        }
    }

    private func releasePublishSlot() {
        // A waiting publisher inherits the slot; otherwise it is returned.
        let next = state.withLock { s -> CheckedContinuation<Void, any Error>? in
            if let waiter = s.slotWaiters.popFirst() { return waiter }
            s.outstanding -= 1
            return nil
        }
        next?.resume()
    }
}
