import CoreMetrics
import CMosquitto
import Glibc
import DequeModule
import Logging
import ServiceLifecycle
import Synchronization

/// An MQTT v5 client on libmosquitto with an async API.
///
/// The client is a `Service`: its ``run()`` owns the connection (connect, reconnect with backoff,
/// resubscribe, clean disconnect on graceful shutdown). Publishing and subscribing work from any task
/// while it runs. For scoped use, ``withConnection(configuration:logger:connectTimeout:_:)``.
///
/// ```swift
/// try await MQTTClient.withConnection(configuration: config, logger: logger) { client in
///     let subscription = try await client.subscribe(to: "fleet/v1/vehicles/+/telemetry")
///     try await client.publish(Array("hello".utf8), to: "fleet/v1/vehicles/v1/telemetry", qos: .atLeastOnce)
///     for await message in subscription { print(message.topic) }
/// }
/// ```
public final class MQTTClient: Service, Sendable {
    /// The configuration the client was created with.
    public let configuration: MQTTConfiguration
    let logger: Logger
    let connection: MosquittoConnection
    let events: AsyncStream<ClientEvent>
    let metrics: MQTTMetrics
    let state = Mutex(State())

    struct SubscriptionRecord: Sendable {
        var filter: String
        var qos: MQTTQoS
        var options: Int32
        /// Whether a SUBSCRIBE went out on some connection; one recorded while offline is sent on connect.
        var sent: Bool
    }

    struct PendingPublish {
        var topic: String
        var continuation: CheckedContinuation<Void, any Error>
    }

    struct State {
        var started = false
        var finished = false
        var connected = false
        var lastConnectError: String?
        var connectWaiters: [Int: CheckedContinuation<Void, any Error>] = [:]
        var nextWaiterID = 0
        var publishes: [Int32: PendingPublish] = [:]
        var outstanding = 0
        var slotWaiters: Deque<CheckedContinuation<Void, any Error>> = []
        var subscribeWaiters: [Int32: (filter: String, continuation: CheckedContinuation<[Int32]?, any Error>)] = [:]
        var unsubscribeWaiters: [Int32: CheckedContinuation<Void, any Error>] = [:]
        var resubscribes: [Int32: String] = [:]
        var subscriptions: [UInt32: SubscriptionRecord] = [:]
        var nextSubscriptionID: UInt32 = 1
    }

    /// Creates a client. Nothing connects until ``run()``.
    public init(configuration: MQTTConfiguration, logger: Logger) throws {
        self.configuration = configuration
        var logger = logger
        logger[metadataKey: "mqtt.client"] = .string(configuration.clientID)
        self.logger = logger
        let metrics = MQTTMetrics(label: configuration.metricsLabel)
        self.metrics = metrics
        let (stream, continuation) = AsyncStream<ClientEvent>.makeStream(bufferingPolicy: .unbounded)
        self.events = stream
        let metricsForCallback = metrics
        self.connection = try MosquittoConnection(
            configuration: configuration,
            context: CallbackContext(events: continuation, metrics: metrics),
            onReconnectAttempt: { metricsForCallback.reconnects.increment() }
        )
    }

    /// Whether the broker has accepted the current connection.
    public var isConnected: Bool { state.withLock { $0.connected } }

    // MARK: Lifecycle

    /// Runs the connection until graceful shutdown, cancellation or ``shutdown()``; then disconnects cleanly.
    /// Operations still waiting fail with ``MQTTError/shutdown``.
    public func run() async throws {
        let alreadyStarted = state.withLock { s in
            defer { s.started = true }
            return s.started
        }
        guard !alreadyStarted else { throw MQTTError.library(operation: "run", code: -1, message: "run() was already called on this client") }
        logger.info("Connecting to MQTT broker", metadata: ["mqtt.host": .string(configuration.host), "mqtt.port": .stringConvertible(configuration.port)])
        connection.start()
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                for await event in events { handle(event) }
            } onGracefulShutdown: {
                self.connection.stop()
            }
        } onCancel: {
            self.connection.stop()
        }
        failEverything()
        logger.info("MQTT client stopped")
    }

    /// Disconnects and ends ``run()``. Safe to call more than once, from anywhere.
    public func shutdown() {
        connection.stop()
    }

    /// Waits until the broker accepts the connection, or throws after `timeout`.
    public func waitUntilConnected(timeout: Duration = .seconds(10)) async throws {
        let id: Int? = state.withLock { s in
            if s.connected { return nil }
            s.nextWaiterID += 1
            return s.nextWaiterID
        }
        guard let id else { return }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                    let outcome: Result<Void, any Error>? = self.state.withLock { s in
                        if s.connected { return .success(()) }
                        if s.finished { return .failure(MQTTError.shutdown) }
                        s.connectWaiters[id] = continuation
                        return nil
                    }
                    if let outcome { continuation.resume(with: outcome) }
                }
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                let (waiter, lastError) = self.state.withLock { s in (s.connectWaiters.removeValue(forKey: id), s.lastConnectError) }
                let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
                let error = MQTTError.connectTimeout(seconds: seconds, lastError: lastError)
                waiter?.resume(throwing: error)
                // Throw here too: this child may finish first, and the caller must see the timeout.
                throw error
            }
            try await group.next()
            group.cancelAll()
        }
    }

    /// Runs a client for the duration of `body`: connects (waiting up to `connectTimeout`), calls `body`, disconnects.
    public static func withConnection<Result: Sendable>(
        configuration: MQTTConfiguration,
        logger: Logger,
        connectTimeout: Duration = .seconds(10),
        _ body: (MQTTClient) async throws -> Result
    ) async throws -> Result {
        let client = try MQTTClient(configuration: configuration, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await client.run() }
            do {
                try await client.waitUntilConnected(timeout: connectTimeout)
                let result = try await body(client)
                client.shutdown()
                try await group.waitForAll()
                return result
            } catch {
                client.shutdown()
                try? await group.waitForAll()
                throw error
            }
        }
    }

    // MARK: Events from the network thread

    private func handle(_ event: ClientEvent) {
        switch event {
        case .connected(let reasonCode, let sessionPresent):
            if reasonCode == 0 {
                handleConnected(sessionPresent: sessionPresent)
            } else {
                let message = reasonString(reasonCode)
                state.withLock { $0.lastConnectError = "broker refused the connection: \(message) (reason \(reasonCode))" }
                logger.error("MQTT broker refused the connection", metadata: ["mqtt.reason": .string(message)])
            }
        case .connectFailed(let code):
            let message = String(cString: mosquitto_strerror(code))
            state.withLock { $0.lastConnectError = message }
            logger.debug("MQTT connect attempt failed", metadata: ["mqtt.error": .string(message)])
        case .disconnected(let reasonCode):
            // A SUBACK still awaited on the lost connection never comes: release the waiter; the subscription is
            // recorded and goes out again on the next connection.
            let unanswered: [CheckedContinuation<[Int32]?, any Error>] = state.withLock { s in
                s.connected = false
                let filters = Set(s.subscribeWaiters.values.map(\.filter))
                for (identifier, record) in s.subscriptions where filters.contains(record.filter) {
                    s.subscriptions[identifier]?.sent = false
                }
                s.resubscribes.removeAll()
                defer { s.subscribeWaiters.removeAll() }
                return s.subscribeWaiters.values.map(\.continuation)
            }
            for waiter in unanswered { waiter.resume(returning: nil) }
            // Nor does an UNSUBACK: the caller hears that it was not confirmed (and may try again once connected).
            let unconfirmed = state.withLock { s in
                defer { s.unsubscribeWaiters.removeAll() }
                return Array(s.unsubscribeWaiters.values)
            }
            for waiter in unconfirmed { waiter.resume(throwing: MQTTError.notConnected) }
            metrics.connected.record(0)
            if !connection.isStopping {
                logger.warning("MQTT connection lost; reconnecting", metadata: ["mqtt.reason": .stringConvertible(reasonCode)])
            }
        case .published(let mid, let reasonCode):
            completePublish(mid: mid, reasonCode: reasonCode)
        case .subscribed(let mid, let granted):
            let waiter: (filter: String, continuation: CheckedContinuation<[Int32]?, any Error>)? = state.withLock { s in
                if let filter = s.resubscribes.removeValue(forKey: mid) {
                    if let code = granted.first, code >= 0x80 {
                        logger.error("MQTT broker refused a resubscription", metadata: ["mqtt.filter": .string(filter), "mqtt.reason": .stringConvertible(code)])
                    }
                    return nil
                }
                return s.subscribeWaiters.removeValue(forKey: mid)
            }
            waiter?.continuation.resume(returning: granted)
        case .unsubscribed(let mid):
            state.withLock { $0.unsubscribeWaiters.removeValue(forKey: mid) }?.resume()
        }
    }

    private func handleConnected(sessionPresent: Bool) {
        metrics.connected.record(1)
        let waiters: [CheckedContinuation<Void, any Error>] = state.withLock { s in
            s.connected = true
            s.lastConnectError = nil
            // A resumed session still has our subscriptions; a new one needs them again. Shared
            // subscriptions are always renewed: Mosquitto 2.0 restores a persistent session after a
            // broker restart without its `$share/` subscriptions (seen with 2.0.11), and renewing an
            // existing subscription is harmless.
            for (identifier, record) in s.subscriptions where !sessionPresent || !record.sent || record.filter.hasPrefix("$share/") {
                var mid: Int32 = 0
                let rc = sendSubscribe(filter: record.filter, qos: record.qos, options: record.options, identifier: identifier, mid: &mid)
                if rc == MOSQ_ERR_SUCCESS.rawValue {
                    s.resubscribes[mid] = record.filter
                    s.subscriptions[identifier]?.sent = true
                }
            }
            defer { s.connectWaiters.removeAll() }
            return Array(s.connectWaiters.values)
        }
        logger.info("Connected to MQTT broker", metadata: ["mqtt.session_present": .stringConvertible(sessionPresent)])
        for waiter in waiters { waiter.resume() }
    }

    private func failEverything() {
        let (publishes, slots, subscribes, unsubscribes, connects, buffers) = state.withLock { s in
            s.finished = true
            s.connected = false
            defer {
                s.publishes.removeAll(); s.slotWaiters.removeAll(); s.subscribeWaiters.removeAll()
                s.unsubscribeWaiters.removeAll(); s.connectWaiters.removeAll(); s.subscriptions.removeAll()
            }
            return (
                Array(s.publishes.values.map(\.continuation)), Array(s.slotWaiters), Array(s.subscribeWaiters.values.map(\.continuation)),
                Array(s.unsubscribeWaiters.values), Array(s.connectWaiters.values),
                connection.context.routes.withLock { routes in defer { routes.removeAll() }; return routes.values.map(\.buffer) }
            )
        }
        metrics.connected.record(0)
        metrics.outstanding.record(0)
        for c in publishes { c.resume(throwing: MQTTError.shutdown) }
        for c in slots { c.resume(throwing: MQTTError.shutdown) }
        for c in subscribes { c.resume(throwing: MQTTError.shutdown) }
        for c in unsubscribes { c.resume(throwing: MQTTError.shutdown) }
        for c in connects { c.resume(throwing: MQTTError.shutdown) }
        for b in buffers { b.finish() }
    }

    /// Closes the TCP socket under libmosquitto without a DISCONNECT, as a network failure would:
    /// the broker publishes the will and the client reconnects. For tests.
    /// Messages the broker delivered to this client so far, routed to a subscription or not.
    @_spi(Testing) public var deliveredForTesting: UInt64 { connection.context.deliveries.load(ordering: .relaxed) }

    @_spi(Testing) public func severConnectionForTesting() {
        let socket = mosquitto_socket(connection.handle)
        if socket >= 0 { _ = Glibc.shutdown(socket, Int32(SHUT_RDWR)) }
    }

    func reasonString(_ code: Int32) -> String {
        String(cString: mosquitto_reason_string(code))
    }

    func libraryError(_ operation: String, _ rc: Int32) -> MQTTError {
        .library(operation: operation, code: rc, message: String(cString: mosquitto_strerror(rc)))
    }
}
