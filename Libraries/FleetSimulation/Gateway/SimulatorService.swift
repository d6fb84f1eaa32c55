import CoreMetrics
public import FleetMQTT
import FleetCore
import Foundation
public import Logging
public import ServiceLifecycle
import Synchronization

/// Runs a ``SimulationGateway`` against the broker: subscribes to commands, desired states and commits, waits for
/// the retained ones, then steps the simulation every ``GatewayConfiguration/tickInterval`` and publishes.
///
/// A `Service`: run it in the same `ServiceGroup` as its `MQTTClient` (client first). On graceful shutdown it
/// publishes every vehicle's retained `offline` state, then returns.
public final class SimulatorService<Model: FleetModel>: Service, Sendable {
    /// The gateway being driven.
    public let gateway: SimulationGateway<Model>
    let client: MQTTClient
    let logger: Logger
    let subscriptionFilters: SubscriptionFilters
    let inFlight = Atomic<Int>(0)
    let readyFlag = Atomic<Bool>(false)
    let publishedCounter = Atomic<Int>(0)

    /// Creates the service.
    public init(gateway: SimulationGateway<Model>, client: MQTTClient, filters: SubscriptionFilters = .allVehicles, logger: Logger) {
        self.gateway = gateway
        self.client = client
        self.subscriptionFilters = filters
        self.logger = logger
    }

    /// Messages the broker acknowledged so far (telemetry, states, acknowledgements and fault payloads).
    public var publishedCount: Int { publishedCounter.load(ordering: .relaxed) }

    /// Whether the first sample has been published (retained state collected); for readiness.
    public var isRunning: Bool { readyFlag.load(ordering: .relaxed) }

    public func run() async throws {
        let configuration = gateway.configuration
        let commands = try await client.subscribe(to: subscriptionFilters.commands, qos: .atLeastOnce, bufferCapacity: 100_000)
        let desired = try await client.subscribe(to: subscriptionFilters.desired, qos: .atLeastOnce, bufferCapacity: 100_000)
        let committed = try await client.subscribe(to: subscriptionFilters.committed, qos: .atLeastOnce, bufferCapacity: 200_000)
        // Published at QoS 0; a batch lost or dropped here only leaves the samples to the per-vehicle acknowledgement.
        var commitStream: MQTTSubscription?
        if let filter = subscriptionFilters.commitStream {
            commitStream = try await client.subscribe(to: filter, qos: .atMostOnce, bufferCapacity: 10_000)
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { [self, gateway, client] in
                // Commands are handled in order, but their answers do not wait for each other's PUBACKs: a fleet-wide
                // pause is answered by every vehicle at once, not one broker round trip after another. One command's
                // answers still go out in order (accepted before completed).
                await withDiscardingTaskGroup { answers in
                    for await message in commands {
                        let acks = await gateway.handleCommand(message, nowMillis: Self.nowMillis())
                        guard !acks.isEmpty else { continue }
                        answers.addTask {
                            for ack in acks {
                                do {
                                    try await client.publish(ack.payload, to: ack.topic, qos: ack.qos, retain: ack.retain)
                                    self.publishedCounter.add(1, ordering: .relaxed)
                                    gateway.metrics.published[.ack]?.increment()
                                } catch {
                                    gateway.metrics.publishFailures.increment()
                                }
                            }
                        }
                    }
                }
            }
            group.addTask { [gateway] in
                for await message in desired { await gateway.handleDesired(message) }
            }
            group.addTask { [gateway] in
                for await message in committed { await gateway.handleCommit(message) }
            }
            if let commitStream = commitStream {
                group.addTask { [gateway] in
                    for await message in commitStream { await gateway.handleCommitBatch(message) }
                }
            }
            try await waitForBroker()
            logger.info("Collecting retained commits and desired states", metadata: ["wait.seconds": "\(configuration.retainedWait.seconds)"])
            try await Task.sleep(for: configuration.retainedWait)
            try await cancelWhenGracefulShutdown {
                try await self.tickLoop(configuration)
            }
            if configuration.drainTimeout > .zero { await drain(configuration) }
            await publishOffline()
            group.cancelAll()
        }
    }

    func waitForBroker() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await client.waitUntilConnected(timeout: .seconds(5))
                return
            } catch MQTTError.shutdown {
                throw MQTTError.shutdown
            } catch {
                logger.warning("Waiting for the MQTT broker", metadata: ["error": "\(error)"])
            }
        }
        try Task.checkCancellation()
    }

    func tickLoop(_ configuration: GatewayConfiguration) async throws {
        let clock = ContinuousClock()
        var deadline = clock.now
        var last = clock.now
        readyFlag.store(true, ordering: .relaxed)
        let vehicles = await gateway.vehicleCount
        logger.info("Simulation started", metadata: ["vehicles": "\(vehicles)"])
        try await withThrowingDiscardingTaskGroup { group in
            while !Task.isCancelled {
                let now = clock.now
                let elapsed = (now - last).seconds
                last = now
                let pending = inFlight.load(ordering: .relaxed)
                gateway.metrics.inFlight.record(pending)
                let budget = configuration.maxInFlight - pending
                let jobs = await gateway.tick(
                    seconds: elapsed > 0 ? elapsed : configuration.tickSeconds, nowMillis: Self.nowMillis(),
                    connected: client.isConnected, sendBudget: max(0, budget))
                // The step itself (moving every vehicle, building its messages); publishing runs beside it.
                gateway.metrics.tickDuration.recordNanoseconds(Int64((clock.now - now).seconds * 1e9))
                for job in jobs {
                    inFlight.add(job.messages.count, ordering: .relaxed)
                    group.addTask { [self, metrics = gateway.metrics] in
                        for message in job.messages {
                            do {
                                try await client.publish(message.payload, to: message.topic, qos: message.qos, retain: message.retain)
                                publishedCounter.add(1, ordering: .relaxed)
                                metrics.published[message.purpose]?.increment()
                            } catch {
                                metrics.publishFailures.increment()
                            }
                            inFlight.subtract(1, ordering: .relaxed)
                        }
                    }
                }
                deadline += configuration.tickInterval
                if deadline < clock.now {
                    gateway.metrics.tickLag.increment()
                    deadline = clock.now  // running late: do not try to catch up in a burst
                }
                do {
                    try await Task.sleep(until: deadline, clock: clock)
                } catch {
                    break
                }
            }
            // Publishes waiting for a reconnect would never finish: the broker is gone and we are stopping.
            if !client.isConnected { client.shutdown() }
        }
    }

    /// Keeps resending unconfirmed samples, making no new ones, until every sample is committed or the drain timeout
    /// passes; logs the totals either way (the chaos experiments read them: samples made, resent, evicted, left).
    func drain(_ configuration: GatewayConfiguration) async {
        let clock = ContinuousClock()
        let deadline = clock.now + configuration.drainTimeout
        var left = await gateway.unconfirmedTotal
        // The tick loop shut the client down if the broker was gone at the end: nothing could be resent.
        if client.isConnected {
            // Publishes run beside the loop, so a broker that goes away meanwhile cannot hold it past the deadline.
            await withDiscardingTaskGroup { group in
                while left > 0, clock.now < deadline, !Task.isCancelled {
                    let jobs = await gateway.tick(
                        seconds: 0, nowMillis: Self.nowMillis(), connected: client.isConnected, sendBudget: configuration.maxInFlight,
                        generate: false)
                    for job in jobs {
                        group.addTask { [client] in
                            for message in job.messages {
                                try? await client.publish(message.payload, to: message.topic, qos: message.qos, retain: message.retain)
                            }
                        }
                    }
                    try? await Task.sleep(for: min(configuration.tickInterval, .milliseconds(200)))
                    left = await gateway.unconfirmedTotal
                }
                // Publishes waiting for a broker that is gone would never finish.
                if left > 0 && !client.isConnected { client.shutdown() }
            }
        }
        let totals = await gateway.statistics
        logger.info(
            left == 0 ? "Drained: every sample committed" : "Drain timed out with samples unconfirmed",
            metadata: [
                "samples": "\(totals.samples)", "resent": "\(totals.resent)", "evicted": "\(totals.evicted)",
                "unconfirmed": "\(left)",
            ])
    }

    func publishOffline() async {
        let messages = await gateway.offlineMessages(nowMillis: Self.nowMillis())
        guard client.isConnected else { return }
        await withTaskGroup(of: Void.self) { group in
            for message in messages {
                group.addTask { [client] in
                    try? await client.publish(message.payload, to: message.topic, qos: message.qos, retain: message.retain)
                }
            }
        }
        logger.info("Published offline state for every vehicle", metadata: ["vehicles": "\(messages.count)"])
    }

    static func nowMillis() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
    }
}
