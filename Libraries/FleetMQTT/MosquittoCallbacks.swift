import CMosquitto
import DequeModule
import Logging
import CoreMetrics
import Metrics
import Synchronization

// C callbacks. They run on the network thread with libmosquitto's callback mutex held, and the message
// they see is freed when they return: copy what is needed, push or yield, return. Nothing else.

let subscriptionIdentifierProperty = Int32(MQTT_PROP_SUBSCRIPTION_IDENTIFIER.rawValue)

@inline(__always)
private func context(_ userdata: UnsafeMutableRawPointer?) -> CallbackContext? {
    guard let userdata else { return nil }
    return Unmanaged<CallbackContext>.fromOpaque(userdata).takeUnretainedValue()
}

let onConnect: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?, Int32, Int32, OpaquePointer?) -> Void = { _, userdata, rc, flags, _ in
    guard let ctx = context(userdata) else { return }
    ctx.connected.store(rc == 0, ordering: .releasing)
    ctx.events.yield(.connected(reasonCode: rc, sessionPresent: (flags & 1) != 0))
}

let onDisconnect: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?, Int32, OpaquePointer?) -> Void = { _, userdata, rc, _ in
    guard let ctx = context(userdata) else { return }
    ctx.connected.store(false, ordering: .releasing)
    ctx.events.yield(.disconnected(reasonCode: rc))
}

let onPublish: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?, Int32, Int32, OpaquePointer?) -> Void = { _, userdata, mid, rc, _ in
    context(userdata)?.events.yield(.published(mid: mid, reasonCode: rc))
}

let onSubscribe: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?, Int32, Int32, UnsafePointer<Int32>?, OpaquePointer?) -> Void = { _, userdata, mid, count, granted, _ in
    guard let ctx = context(userdata) else { return }
    var codes: [Int32] = []
    if let granted, count > 0 { codes = Array(UnsafeBufferPointer(start: granted, count: Int(count))) }
    ctx.events.yield(.subscribed(mid: mid, grantedQoS: codes))
}

let onUnsubscribe: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?, Int32, OpaquePointer?) -> Void = { _, userdata, mid, _ in
    context(userdata)?.events.yield(.unsubscribed(mid: mid))
}

let onMessage: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?, UnsafePointer<mosquitto_message>?, OpaquePointer?) -> Void = { _, userdata, messagePointer, properties in
    guard let ctx = context(userdata), let raw = messagePointer?.pointee, let topicPointer = raw.topic else { return }
    let topic = String(cString: topicPointer)
    let payload: [UInt8]
    if raw.payloadlen > 0, let bytes = raw.payload {
        payload = Array(UnsafeRawBufferPointer(start: bytes, count: Int(raw.payloadlen)))
    } else {
        payload = []
    }
    let message = MQTTMessage(topic: topic, payload: payload, qos: MQTTQoS(rawValue: raw.qos) ?? .atMostOnce, retain: raw.retain)

    ctx.metrics.received.increment()
    ctx.deliveries.add(1, ordering: .relaxed)
    // MQTT v5 subscription identifiers say exactly which subscriptions matched (several if filters overlap).
    var identifier: UInt32 = 0
    let first = mosquitto_property_read_varint(properties, subscriptionIdentifierProperty, &identifier, false)
    var another: UInt32 = 0
    if let first, mosquitto_property_read_varint(first, subscriptionIdentifierProperty, &another, true) == nil {
        // The common case, one matching subscription: no allocation beyond the message itself.
        if let buffer = ctx.routes.withLock({ $0[identifier]?.buffer }) {
            if !buffer.push(message) { ctx.metrics.dropped.increment() }
            return
        }
    }
    var identifiers: [UInt32] = []
    var cursor = properties
    var skipFirst = false
    var value: UInt32 = 0
    while let found = mosquitto_property_read_varint(cursor, subscriptionIdentifierProperty, &value, skipFirst) {
        identifiers.append(value)
        cursor = found
        skipFirst = true
    }
    let buffers: [MessageBuffer] = ctx.routes.withLock { routes in
        // A resumed session may deliver with an identifier from a previous client instance: fall back to the filter.
        let byIdentifier = identifiers.compactMap { routes[$0]?.buffer }
        if !byIdentifier.isEmpty { return byIdentifier }
        return routes.values.filter { route in
            var matches = false
            return mosquitto_topic_matches_sub(route.matchFilter, topic, &matches) == 0 && matches
        }.map(\.buffer)
    }
    var dropped = buffers.isEmpty
    for buffer in buffers where !buffer.push(message) { dropped = true }
    if dropped { ctx.metrics.dropped.increment() }
}
