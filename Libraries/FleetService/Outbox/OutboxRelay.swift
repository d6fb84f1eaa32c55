import FleetMQTT
import Logging
import Metrics
import PostgresNIO
import ServiceLifecycle

/// Publishes an ``EventOutbox`` at least once: claims waiting messages, publishes them at QoS 1, and deletes each only
/// after the broker's PUBACK. A message whose publish failed, or whose process died before the PUBACK, is published
/// again (with the same id) after a backoff or when its claim's lease runs out.
///
/// Woken by ``notify()`` after a transaction that enqueued something, and every ``Settings/pollInterval`` otherwise.
/// Several replicas can share one outbox: claims skip rows another replica holds.
///
/// Metrics (label `outbox`: the schema): `fleet_outbox_published_total`, `fleet_outbox_publish_failures_total`,
/// `fleet_outbox_backlog_messages`, `fleet_outbox_oldest_message_seconds`.
public final class OutboxRelay: Service, Sendable {
    /// How the relay paces itself.
    public struct Settings: Sendable {
        /// Messages claimed per pass.
        public var batchSize = 500
        /// A claim's lease: how long a message a process took but has not confirmed stays away from other replicas.
        public var lease: Duration = .seconds(15)
        /// Longest wait between passes without a ``OutboxRelay/notify()``.
        public var pollInterval: Duration = .seconds(1)
        /// Delays before a failed publish is tried again.
        public var retry = Backoff(initial: .milliseconds(500), maximum: .seconds(30))

        /// The defaults.
        public init() {}
    }

    private let outbox: EventOutbox
    private let postgres: PostgresClient
    private let mqtt: MQTTClient
    private let owner: String
    private let settings: Settings
    private let logger: Logger
    private let wake = WakeSignal()
    private let published: Counter
    private let failures: Counter
    private let backlog: Gauge
    private let oldest: Gauge

    /// Creates the relay.
    ///
    /// - Parameters:
    ///   - owner: This replica's stable name (its MQTT client id): a restarted replica takes its old claims back at once.
    public init(outbox: EventOutbox, postgres: PostgresClient, mqtt: MQTTClient, owner: String, settings: Settings = Settings(), logger: Logger) {
        self.outbox = outbox
        self.postgres = postgres
        self.mqtt = mqtt
        self.owner = owner
        self.settings = settings
        self.logger = logger
        let dimensions = [("outbox", outbox.schema)]
        published = Counter(label: "fleet_outbox_published_total", dimensions: dimensions)
        failures = Counter(label: "fleet_outbox_publish_failures_total", dimensions: dimensions)
        backlog = Gauge(label: "fleet_outbox_backlog_messages", dimensions: dimensions)
        oldest = Gauge(label: "fleet_outbox_oldest_message_seconds", dimensions: dimensions)
    }

    /// Something was enqueued: publish it now rather than at the next poll.
    public func notify() { wake.fire() }

    public func run() async throws {
        // Until the database answers; given up only at shutdown (the claims then simply expire).
        guard (try? await retryingUntilSuccess(onFailure: { attempt, error in
            logger.warning("Releasing earlier outbox claims failed; retrying", metadata: ["attempt": "\(attempt)", "error": "\(error)"])
        }, { try await outbox.releaseClaims(of: owner, client: postgres) })) != nil else { return }
        await cancelWhenGracefulShutdown { await self.loop() }
    }

    private func loop() async {
        var lastBacklog = ContinuousClock.now - .seconds(60)
        while !Task.isCancelled {
            var claimedFull = false
            do {
                claimedFull = try await pass()
                if ContinuousClock.now - lastBacklog >= settings.pollInterval {
                    let state = try await outbox.backlog(client: postgres)
                    backlog.record(state.count)
                    oldest.record(state.oldestSeconds)
                    lastBacklog = .now
                }
            } catch {
                if Task.isCancelled { break }
                logger.error("Outbox pass failed; retrying", metadata: ["error": "\(String(reflecting: error))"])
            }
            if !claimedFull { await wake.wait(timeout: settings.pollInterval) }
        }
    }

    /// Claims, publishes and settles one batch; returns whether the claim was full (more may be waiting).
    private func pass() async throws -> Bool {
        let claimed = try await outbox.claim(limit: settings.batchSize, owner: owner, lease: settings.lease, client: postgres)
        guard !claimed.isEmpty else { return false }
        // Published concurrently (FleetMQTT bounds what is in flight and keeps the order it was given on the wire).
        let results = await withTaskGroup(of: (Int64, Bool).self, returning: [Int64: Bool].self) { group in
            for item in claimed {
                group.addTask {
                    do {
                        try await self.mqtt.publish(item.message.payload, to: item.message.topic, qos: .atLeastOnce)
                        return (item.seq, true)
                    } catch {
                        self.logger.warning(
                            "Publishing an outbox message failed; will retry",
                            metadata: ["message.id": "\(item.message.id)", "mqtt.topic": "\(item.message.topic)", "error": "\(error)"])
                        return (item.seq, false)
                    }
                }
            }
            var results: [Int64: Bool] = [:]
            for await (seq, ok) in group { results[seq] = ok }
            return results
        }
        let done = results.filter(\.value).map(\.key)
        let failed = results.filter { !$0.value }.map(\.key)
        try await outbox.remove(done, client: postgres)
        published.increment(by: done.count)
        if !failed.isEmpty {
            failures.increment(by: failed.count)
            try await outbox.release(failed, after: settings.retry.delay(afterAttempt: 1), client: postgres)
        }
        return claimed.count == settings.batchSize && failed.isEmpty
    }
}
