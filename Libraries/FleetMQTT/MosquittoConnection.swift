import CMosquitto
import Dispatch
import Foundation
import Synchronization

/// `mosquitto_lib_init()` exactly once per process, on first use.
private let libraryInitialised: Bool = {
    mosquitto_lib_init()
    return true
}()

/// Owns one `struct mosquitto *` and the thread that runs its network loop.
///
/// `@unchecked Sendable` is safe here because every access to the handle is one of:
/// - `publish`, `subscribe`, `unsubscribe`: libmosquitto guards these with its own mutexes in threaded mode
///   (`mosquitto_threaded_set(true)`), so any thread may call them;
/// - connect, loop and disconnect: called only from the network thread this type starts;
/// - `mosquitto_destroy`: called in `deinit`, after the network thread has exited (it holds a strong reference).
/// The only mutable Swift state is `Atomic`/`Mutex`-protected.
final class MosquittoConnection: @unchecked Sendable {
    let handle: OpaquePointer
    let context: CallbackContext
    private let contextPointer: UnsafeMutableRawPointer
    private let configuration: MQTTConfiguration
    private let stopRequested = Atomic<Bool>(false)
    private let wakeUp = DispatchSemaphore(value: 0)
    private let reconnects: @Sendable () -> Void

    init(configuration: MQTTConfiguration, context: CallbackContext, onReconnectAttempt: @escaping @Sendable () -> Void) throws(MQTTError) {
        _ = libraryInitialised
        self.configuration = configuration
        self.context = context
        self.reconnects = onReconnectAttempt
        // The context outlives the handle: it is released only after mosquitto_destroy in deinit.
        self.contextPointer = Unmanaged.passRetained(context).toOpaque()
        guard let handle = mosquitto_new(configuration.clientID, configuration.cleanStart, contextPointer) else {
            Unmanaged<CallbackContext>.fromOpaque(contextPointer).release()
            throw .library(operation: "mosquitto_new", code: Int32(MOSQ_ERR_NOMEM.rawValue), message: "could not create a client (invalid client id?)")
        }
        self.handle = handle
        do {
            try configure()
        } catch {
            mosquitto_destroy(handle)
            Unmanaged<CallbackContext>.fromOpaque(contextPointer).release()
            throw error
        }
    }

    deinit {
        mosquitto_destroy(handle)
        Unmanaged<CallbackContext>.fromOpaque(contextPointer).release()
    }

    private func configure() throws(MQTTError) {
        try check(mosquitto_int_option(handle, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5), "set protocol version")
        // Small packets (a command, an acknowledgement) must not wait for the peer's delayed ACK (Nagle: up to 40 ms).
        try check(mosquitto_int_option(handle, MOSQ_OPT_TCP_NODELAY, 1), "set TCP_NODELAY")
        try check(mosquitto_threaded_set(handle, true), "mosquitto_threaded_set")
        if let window = configuration.inflightWindow {
            let value = Int32(max(1, min(window, 65_535)))
            try check(mosquitto_int_option(handle, MOSQ_OPT_RECEIVE_MAXIMUM, value), "set receive maximum")
            try check(mosquitto_int_option(handle, MOSQ_OPT_SEND_MAXIMUM, value), "set send maximum")
        }
        if let username = configuration.username {
            try check(mosquitto_username_pw_set(handle, username, configuration.password), "mosquitto_username_pw_set")
        }
        if let tls = configuration.tls {
            try check(mosquitto_tls_set(handle, tls.caFile, tls.caPath, tls.certificateFile, tls.keyFile, nil), "mosquitto_tls_set")
            if tls.insecureSkipHostnameVerification {
                try check(mosquitto_tls_insecure_set(handle, true), "mosquitto_tls_insecure_set")
            }
        }
        if let will = configuration.will {
            let rc = will.payload.withUnsafeBytes { bytes in
                mosquitto_will_set_v5(handle, will.topic, Int32(bytes.count), bytes.baseAddress, will.qos.rawValue, will.retain, nil)
            }
            try check(rc, "mosquitto_will_set_v5")
        }
        mosquitto_connect_v5_callback_set(handle, onConnect)
        mosquitto_disconnect_v5_callback_set(handle, onDisconnect)
        mosquitto_publish_v5_callback_set(handle, onPublish)
        mosquitto_subscribe_v5_callback_set(handle, onSubscribe)
        mosquitto_unsubscribe_v5_callback_set(handle, onUnsubscribe)
        mosquitto_message_v5_callback_set(handle, onMessage)
    }

    /// Starts the network thread. It connects, runs the loop, reconnects with backoff, and on ``stop()``
    /// disconnects cleanly and finishes the event stream.
    func start() {
        let thread = Thread { [self] in self.networkLoop() }
        thread.name = "mqtt-\(configuration.metricsLabel)"
        thread.start()
    }

    /// Asks the network thread to disconnect and exit. Returns at once.
    func stop() {
        stopRequested.store(true, ordering: .releasing)
        wakeUp.signal()
    }

    var isStopping: Bool { stopRequested.load(ordering: .acquiring) }

    private func networkLoop() {
        var delay = configuration.reconnectDelayMin
        var socketOpen = false
        var firstAttempt = true
        // Read batching (configuration.readBatchInterval): consecutive passes that read nothing.
        var emptyPasses = 0
        let batchInterval = configuration.readBatchInterval
        let emptyPassesBeforeBlocking = batchInterval.map { max(1, Int(Duration.milliseconds(100) / $0)) } ?? 0
        while !stopRequested.load(ordering: .acquiring) {
            if !socketOpen {
                if !firstAttempt { reconnects() }
                firstAttempt = false
                let rc = connectWithProperties()
                if rc != MOSQ_ERR_SUCCESS.rawValue {
                    context.events.yield(.connectFailed(code: rc))
                    sleep(delay)
                    delay = min(delay * 2, configuration.reconnectDelayMax)
                    continue
                }
                socketOpen = true
            }
            let deliveredBefore = context.deliveries.load(ordering: .relaxed)
            let batching = batchInterval != nil && emptyPasses < emptyPassesBeforeBlocking
            let rc = mosquitto_loop(handle, batching ? 0 : 50, 1)
            if rc != MOSQ_ERR_SUCCESS.rawValue {
                socketOpen = false
                if context.connected.exchange(false, ordering: .acquiringAndReleasing) {
                    // Lost without a DISCONNECT callback (e.g. the peer reset the socket).
                    context.events.yield(.disconnected(reasonCode: rc))
                }
                sleep(delay)
                delay = min(delay * 2, configuration.reconnectDelayMax)
                continue
            }
            if context.connected.load(ordering: .acquiring) { delay = configuration.reconnectDelayMin }
            if let batchInterval {
                if context.deliveries.load(ordering: .relaxed) != deliveredBefore {
                    emptyPasses = 0
                } else {
                    emptyPasses += 1
                    if emptyPasses < emptyPassesBeforeBlocking { sleep(batchInterval) }
                }
            }
        }
        if socketOpen {
            mosquitto_disconnect_v5(handle, 0, nil)
            // Flush queued packets and the DISCONNECT itself; returns non-zero once the socket is closed.
            for _ in 0..<40 where mosquitto_loop(handle, 25, 1) == MOSQ_ERR_SUCCESS.rawValue {}
        }
        context.connected.store(false, ordering: .releasing)
        context.events.finish()
    }

    /// libmosquitto's own reconnect forgets CONNECT properties, so the session expiry would be lost
    /// after the first reconnect: every (re)connect goes through here instead.
    private func connectWithProperties() -> Int32 {
        var properties: OpaquePointer? = nil
        defer { mosquitto_property_free_all(&properties) }
        if configuration.sessionExpirySeconds > 0 {
            mosquitto_property_add_int32(&properties, Int32(MQTT_PROP_SESSION_EXPIRY_INTERVAL.rawValue), configuration.sessionExpirySeconds)
        }
        if let maximumPacketSize = configuration.maximumPacketSize {
            mosquitto_property_add_int32(&properties, Int32(MQTT_PROP_MAXIMUM_PACKET_SIZE.rawValue), maximumPacketSize)
        }
        return mosquitto_connect_bind_v5(handle, configuration.host, Int32(configuration.port), Int32(configuration.keepAliveSeconds), nil, properties)
    }

    /// Waits for `duration` unless ``stop()`` is called first.
    private func sleep(_ duration: Duration) {
        let nanoseconds = UInt64(duration.components.seconds) * 1_000_000_000 + UInt64(duration.components.attoseconds / 1_000_000_000)
        _ = wakeUp.wait(timeout: .now() + .nanoseconds(Int(nanoseconds)))
    }

    private func check(_ rc: Int32, _ operation: String) throws(MQTTError) {
        guard rc == MOSQ_ERR_SUCCESS.rawValue else {
            throw .library(operation: operation, code: rc, message: String(cString: mosquitto_strerror(rc)))
        }
    }
}
