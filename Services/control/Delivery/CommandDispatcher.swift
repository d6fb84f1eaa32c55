import FleetCore
import FleetMQTT
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Delivers commands and desired states to vehicles and follows their answers.
///
/// One `Service` with four loops:
/// - delivery: expires commands past their TTL, publishes unpublished desired states (retained, QoS 1) and
///   (re)publishes due commands (QoS 1) with exponential backoff; woken at once by new commands, otherwise every scan interval;
/// - acknowledgements (`…/commands/ack`, QoS 1 on the persistent session) move commands through their lifecycle;
/// - vehicle states (`…/state`, retained) keep the vehicle table current; a vehicle coming online gets its waiting commands now;
/// - positions (`…/telemetry`, QoS 0, optional) feed the ``PositionCache`` for bounding-box selection.
///
/// Everything is read from and written to PostgreSQL, so a restart resumes waiting where the last process stopped.
final class CommandDispatcher: Service, Sendable {
    struct Subscriptions: Sendable {
        var acks: MQTTSubscription
        var states: MQTTSubscription
        var telemetry: MQTTSubscription?
    }

    let mqtt: MQTTClient
    let subscriptions: Subscriptions
    let commands: any CommandRepository
    let vehicles: any VehicleRepository
    let notifier: CommandNotifier
    let positions: PositionCache
    let gate: StartupGate
    let configuration: ControlConfiguration
    let logger: Logger
    let metrics = ControlMetrics()
    private let wake = WakeSignal()
    private let inFlight = Mutex<Set<String>>([])

    init(
        mqtt: MQTTClient, subscriptions: Subscriptions, commands: any CommandRepository, vehicles: any VehicleRepository,
        notifier: CommandNotifier, positions: PositionCache, gate: StartupGate, configuration: ControlConfiguration, logger: Logger
    ) {
        self.mqtt = mqtt
        self.subscriptions = subscriptions
        self.commands = commands
        self.vehicles = vehicles
        self.notifier = notifier
        self.positions = positions
        self.gate = gate
        self.configuration = configuration
        self.logger = logger
    }

    /// Subscribes to the topics the dispatcher follows. Call before the MQTT client runs, so the persistent session
    /// keeps them (and queues acknowledgements while the service is down).
    static func subscribe(_ mqtt: MQTTClient, trackPositions: Bool) async throws -> Subscriptions {
        let acks = try await mqtt.subscribe(to: VehicleChannel.commandAcks.filter, qos: .atLeastOnce, bufferCapacity: 10_000, overflow: .backPressure)
        let states = try await mqtt.subscribe(to: VehicleChannel.state.filter, qos: .atLeastOnce, bufferCapacity: 10_000, overflow: .backPressure)
        let telemetry = trackPositions
            ? try await mqtt.subscribe(to: VehicleChannel.telemetry.filter, qos: .atMostOnce, bufferCapacity: 10_000, overflow: .dropNewest)
            : nil
        return Subscriptions(acks: acks, states: states, telemetry: telemetry)
    }

    /// Asks the delivery loop to look for work now (after new commands were stored).
    func deliverNow() { wake.fire() }

    func run() async throws {
        await gate.wait()
        guard gate.isOpen else { return }
        // On graceful shutdown every loop is cancelled (subscription iterators end on cancellation).
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.deliveryLoop() }
                group.addTask { await self.acknowledgementLoop() }
                group.addTask { await self.stateLoop() }
                if let telemetry = self.subscriptions.telemetry {
                    group.addTask { await self.positionLoop(telemetry) }
                }
            }
        }
    }

    // MARK: Delivery

    private func deliveryLoop() async {
        var lastPrune = ContinuousClock.now
        await withDiscardingTaskGroup { publishes in
            while !Task.isCancelled {
                do {
                    try await deliveryPass(publishes: &publishes)
                    if ContinuousClock.now - lastPrune > .seconds(3600) {
                        try await commands.pruneIdempotencyKeys(olderThanSeconds: 86_400)
                        lastPrune = .now
                    }
                } catch {
                    if Task.isCancelled { break }
                    logger.error("Delivery pass failed; retrying", metadata: ["error": "\(String(reflecting: error))"])
                }
                await wake.wait(timeout: .milliseconds(configuration.scanIntervalMilliseconds))
            }
            publishes.cancelAll()
        }
    }

    private func deliveryPass(publishes: inout DiscardingTaskGroup) async throws {
        // Due commands first: they are what a caller waits for.
        let due = try await commands.claimDue(
            limit: 1_000,
            initialBackoff: Double(configuration.resendInitialMilliseconds) / 1000,
            maxBackoff: Double(configuration.resendMaxMilliseconds) / 1000
        )
        for item in due {
            let key = "command/\(item.command.id.rawValue)"
            guard claimInFlight(key) else { continue }
            if item.attempt > 1 { metrics.resends() }
            publishes.addTask { await self.publish(item.command, key: key) }
        }
        for desired in try await commands.unpublishedDesiredStates(limit: 1_000) {
            let key = "desired/\(desired.vehicleID.rawValue)/\(desired.revision)"
            guard claimInFlight(key) else { continue }
            publishes.addTask { await self.publish(desired, key: key) }
        }
        for id in try await commands.expireDue() {
            metrics.transition(.expired)
            notifier.notify(id)
        }
        // A full batch means more may be due: go round again without waiting.
        if due.count == 1_000 { wake.fire() }
    }

    private func claimInFlight(_ key: String) -> Bool {
        inFlight.withLock { $0.insert(key).inserted }
    }

    private func publish(_ desired: DesiredState, key: String) async {
        defer { _ = inFlight.withLock { $0.remove(key) } }
        do {
            let payload = try FleetCodec.encode(desired)
            try await mqtt.publish(payload, to: VehicleChannel.desired.topic(for: desired.vehicleID), qos: .atLeastOnce, retain: true)
            try await commands.markDesiredPublished(vehicle: desired.vehicleID.rawValue, revision: desired.revision)
            metrics.publishes(kind: "desired", outcome: "ok")
        } catch {
            metrics.publishes(kind: "desired", outcome: "error")
            logger.warning("Publishing desired state failed; will retry", metadata: ["vehicle.id": "\(desired.vehicleID)", "error": "\(error)"])
        }
    }

    private func publish(_ command: Command, key: String) async {
        defer { _ = inFlight.withLock { $0.remove(key) } }
        do {
            let payload = try FleetCodec.encode(command)
            try await mqtt.publish(payload, to: VehicleChannel.commands.topic(for: command.vehicleID), qos: .atLeastOnce)
            metrics.publishes(kind: "command", outcome: "ok")
            if case .applied = try await commands.transition(command.id.rawValue, vehicle: nil, to: .sent, reason: nil) {
                metrics.transition(.sent)
                notifier.notify(command.id.rawValue)
            }
        } catch {
            metrics.publishes(kind: "command", outcome: "error")
            logger.warning("Publishing command failed; will retry", metadata: ["command.id": "\(command.id)", "error": "\(error)"])
        }
    }

    // MARK: Acknowledgements

    private func acknowledgementLoop() async {
        await Self.onLanes(subscriptions.acks) { message in await self.handleAck(message) }
    }

    /// Handles `subscription`'s messages on 16 lanes in parallel; all messages of one topic (one vehicle) go to the
    /// same lane, in order, so e.g. a command's `accepted` is always recorded before its `completed`.
    static func onLanes(_ subscription: MQTTSubscription, _ handle: @escaping @Sendable (MQTTMessage) async -> Void) async {
        let laneCount = 16
        await withDiscardingTaskGroup { group in
            var lanes: [AsyncStream<MQTTMessage>.Continuation] = []
            for _ in 0..<laneCount {
                let (stream, continuation) = AsyncStream<MQTTMessage>.makeStream(bufferingPolicy: .unbounded)
                lanes.append(continuation)
                group.addTask {
                    for await message in stream { await handle(message) }
                }
            }
            for await message in subscription {
                lanes[abs(message.topic.hashValue % laneCount)].yield(message)
            }
            for lane in lanes { lane.finish() }
        }
    }

    func handleAck(_ message: MQTTMessage) async {
        guard case .vehicle(let topicVehicle, .commandAcks)? = FleetTopic(message.topic) else {
            metrics.invalidMessage(stream: "ack", reason: "topic")
            return
        }
        let ack: CommandAck
        do {
            ack = try FleetCodec.decode(CommandAck.self, from: message.payload)
        } catch {
            metrics.invalidMessage(stream: "ack", reason: "decode")
            logger.warning("Undecodable command acknowledgement", metadata: ["mqtt.topic": "\(message.topic)", "error": "\(error)"])
            return
        }
        guard ack.vehicleID == topicVehicle else {
            metrics.invalidMessage(stream: "ack", reason: "vehicle_mismatch")
            return
        }
        let status: CommandStatus =
            switch ack.status {
            case .accepted: .acknowledged
            case .rejected: .rejected
            case .completed: .completed
            case .failed: .failed
            }
        do {
            switch try await commands.transition(ack.commandID.rawValue, vehicle: ack.vehicleID.rawValue, to: status, reason: ack.reason) {
            case .applied(let createdAt):
                metrics.transition(status)
                if status == .acknowledged || status == .rejected {
                    metrics.acknowledgementLatency(seconds: max(0, Date().timeIntervalSince(createdAt)))
                }
                notifier.notify(ack.commandID.rawValue)
            case .stale:
                metrics.invalidMessage(stream: "ack", reason: "stale")
            case .unknown:
                metrics.invalidMessage(stream: "ack", reason: "unknown_command")
                logger.info("Acknowledgement for an unknown command", metadata: ["command.id": "\(ack.commandID)", "vehicle.id": "\(ack.vehicleID)"])
            }
        } catch {
            // Lost only if the database is down; the vehicle does not resend acknowledgements, so log loudly.
            metrics.invalidMessage(stream: "ack", reason: "storage")
            logger.error("Storing an acknowledgement failed", metadata: ["command.id": "\(ack.commandID)", "error": "\(String(reflecting: error))"])
        }
    }

    // MARK: Vehicle state and positions

    private func stateLoop() async {
        await Self.onLanes(subscriptions.states) { message in await self.handleState(message) }
    }

    func handleState(_ message: MQTTMessage) async {
        guard case .vehicle(let topicVehicle, .state)? = FleetTopic(message.topic) else {
            metrics.invalidMessage(stream: "state", reason: "topic")
            return
        }
        guard !message.payload.isEmpty else { return }  // a cleared retained state
        let state: VehicleState
        do {
            state = try FleetCodec.decode(VehicleState.self, from: message.payload)
        } catch {
            metrics.invalidMessage(stream: "state", reason: "decode")
            logger.warning("Undecodable vehicle state", metadata: ["mqtt.topic": "\(message.topic)", "error": "\(error)"])
            return
        }
        guard state.vehicleID == topicVehicle else {
            metrics.invalidMessage(stream: "state", reason: "vehicle_mismatch")
            return
        }
        do {
            let previous = try await vehicles.upsert(state)
            if state.connectivity == .online, previous != .online, try await commands.resendNow(vehicle: state.vehicleID.rawValue) > 0 {
                wake.fire()
            }
        } catch {
            metrics.invalidMessage(stream: "state", reason: "storage")
            logger.error("Storing a vehicle state failed", metadata: ["vehicle.id": "\(state.vehicleID)", "error": "\(String(reflecting: error))"])
        }
    }

    private func positionLoop(_ telemetry: MQTTSubscription) async {
        for await message in telemetry {
            guard case .vehicle(let vehicle, .telemetry)? = FleetTopic(message.topic),
                let sample = try? FleetCodec.decode(Telemetry.self, from: message.payload), sample.vehicleID == vehicle
            else {
                metrics.invalidMessage(stream: "telemetry", reason: "decode")
                continue
            }
            positions.update(vehicle.rawValue, sample.position)
        }
    }
}
