import FleetCore
import FleetMQTT
import FleetService
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Delivers commands and desired states to vehicles and follows their answers.
///
/// One `Service` with six loops:
/// - new commands: published as soon as the API stored them (their first attempt), without waiting for a delivery pass;
/// - delivery: resends due commands (QoS 1) with exponential backoff, publishes unpublished desired states (retained,
///   QoS 1), all concurrently, and expires commands past their TTL; every scan interval, or at once when a vehicle
///   comes online. Broker confirmations are recorded in batches (``GroupCommit``): one
///   statement marks every command confirmed meanwhile `sent`, another every desired state published;
/// - acknowledgements (`…/commands/ack`, QoS 1 on the persistent session) move commands through their lifecycle,
///   everything that arrived meanwhile in one statement; a command's later answers in the same batch (`completed` right
///   behind `accepted`) are stored by a sixth loop right after, so the next first answers do not wait for them;
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

    /// A command the broker confirmed (PUBACK), to be recorded as `sent`; `key` stays in flight until then.
    struct ConfirmedCommand: Sendable {
        var id: String
        var key: String
    }

    /// A desired state the broker retained, to be recorded as published; `key` stays in flight until then.
    struct ConfirmedDesired: Sendable {
        var vehicle: String
        var revision: UInt64
        var key: String
    }

    /// Most rows one batched statement (claim, `sent` marks, published marks, acknowledgements) handles.
    static let batchLimit = 1_000

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
    /// Acknowledgements waiting for ``laterAnswerLoop()``. Unbounded, but filled no faster than the acknowledgement loop
    /// stores batches, which is what holds back the broker's deliveries when the database is slow.
    private let laterAnswers = Mutex<[CommandAck]>([])
    private let laterAnswersQueued = WakeSignal()
    /// Commands just stored by the API, for their first publish. Bounded: when the dispatcher is this far behind,
    /// further new commands wait for their first resend instead.
    private let new = AsyncStream<[Command]>.makeStream(bufferingPolicy: .bufferingOldest(1_000))
    private let inFlight = Mutex<Set<String>>([])
    private let sentWrites = GroupCommit<ConfirmedCommand>(maxBatch: CommandDispatcher.batchLimit)
    private let publishedWrites = GroupCommit<ConfirmedDesired>(maxBatch: CommandDispatcher.batchLimit)

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

    /// Publishes commands the API has just stored. The desired states they change are published by the next delivery
    /// pass (within the scan interval): waking a pass per request would cost two queries per command under load.
    func deliver(_ commands: NewCommands) {
        if case .dropped = new.continuation.yield(commands.wireCommands) { metrics.publishes(kind: "command", outcome: "deferred") }
    }

    func run() async throws {
        await gate.wait()
        guard gate.isOpen else { return }
        // On graceful shutdown every loop is cancelled (subscription iterators end on cancellation).
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.newCommandLoop() }
                group.addTask { await self.deliveryLoop() }
                group.addTask { await self.acknowledgementLoop() }
                group.addTask { await self.laterAnswerLoop() }
                group.addTask { await self.stateLoop() }
                if let telemetry = self.subscriptions.telemetry {
                    group.addTask { await self.positionLoop(telemetry) }
                }
            }
        }
    }

    // MARK: Delivery

    private func newCommandLoop() async {
        await withDiscardingTaskGroup { publishes in
            for await batch in new.stream {
                for command in batch { startPublishing(command, in: &publishes) }
            }
            publishes.cancelAll()
        }
    }

    private func deliveryLoop() async {
        var lastPrune = ContinuousClock.now
        let scanInterval = Duration.milliseconds(configuration.scanIntervalMilliseconds)
        var lastExpiry = ContinuousClock.now - scanInterval
        await withDiscardingTaskGroup { publishes in
            while !Task.isCancelled {
                do {
                    // Vehicles coming online and full batches wake the loop early; expiry need not run on every wake-up.
                    let expire = ContinuousClock.now - lastExpiry >= scanInterval
                    try await deliveryPass(publishes: &publishes, expire: expire)
                    if expire { lastExpiry = .now }
                    if ContinuousClock.now - lastPrune > .seconds(3600) {
                        try await commands.pruneIdempotencyKeys(olderThanSeconds: 86_400)
                        lastPrune = .now
                    }
                } catch {
                    if Task.isCancelled { break }
                    logger.error("Delivery pass failed; retrying", metadata: ["error": "\(String(reflecting: error))"])
                }
                await wake.wait(timeout: scanInterval)
            }
            publishes.cancelAll()
        }
    }

    private func deliveryPass(publishes: inout DiscardingTaskGroup, expire: Bool) async throws {
        // Both reads at once; due commands are published first.
        async let unpublished = commands.unpublishedDesiredStates(limit: Self.batchLimit)
        let due = try await commands.claimDue(
            limit: Self.batchLimit,
            initialBackoff: configuration.resendInitialDelay,
            maxBackoff: Double(configuration.resendMaxMilliseconds) / 1000
        )
        for item in due {
            if startPublishing(item.command, in: &publishes), item.attempt > 1 { metrics.resends() }
        }
        for desired in try await unpublished {
            let key = "desired/\(desired.vehicleID.rawValue)/\(desired.revision)"
            guard claimInFlight(key) else { continue }
            publishes.addTask { await self.publish(desired, key: key) }
        }
        if expire {
            for id in try await commands.expireDue() {
                metrics.transition(.expired)
                notifier.notify(id)
            }
        }
        // A full batch means more may be due: go round again without waiting.
        if due.count == Self.batchLimit { wake.fire() }
    }

    /// Publishes `command` in `group` unless a publish of it is already in flight; returns whether it started.
    @discardableResult
    private func startPublishing(_ command: Command, in group: inout DiscardingTaskGroup) -> Bool {
        let key = "command/\(command.id.rawValue)"
        guard claimInFlight(key) else { return false }
        group.addTask { await self.publish(command, key: key) }
        return true
    }

    private func claimInFlight(_ key: String) -> Bool {
        inFlight.withLock { $0.insert(key).inserted }
    }

    private func releaseInFlight(_ keys: [String]) {
        inFlight.withLock { set in
            for key in keys { set.remove(key) }
        }
    }

    private func publish(_ desired: DesiredState, key: String) async {
        do {
            let payload = try FleetCodec.encode(desired)
            try await mqtt.publish(payload, to: VehicleChannel.desired.topic(for: desired.vehicleID), qos: .atLeastOnce, retain: true)
            metrics.publishes(kind: "desired", outcome: "ok")
        } catch {
            releaseInFlight([key])
            metrics.publishes(kind: "desired", outcome: "error")
            logger.warning("Publishing desired state failed; will retry", metadata: ["vehicle.id": "\(desired.vehicleID)", "error": "\(error)"])
            return
        }
        let confirmed = ConfirmedDesired(vehicle: desired.vehicleID.rawValue, revision: desired.revision, key: key)
        await publishedWrites.submit(confirmed) { batch in await self.recordPublished(batch) }
    }

    /// Records retained desired states in one statement, then lets their keys go (a failure means they are published again).
    private func recordPublished(_ batch: [ConfirmedDesired]) async {
        defer { releaseInFlight(batch.map(\.key)) }
        var revisions: [String: UInt64] = [:]
        for item in batch { revisions[item.vehicle] = max(revisions[item.vehicle] ?? 0, item.revision) }
        do {
            try await commands.markDesiredPublished(revisions)
        } catch {
            logger.warning("Recording published desired states failed; will publish again", metadata: ["vehicles": "\(revisions.count)", "error": "\(error)"])
        }
    }

    private func publish(_ command: Command, key: String) async {
        do {
            let payload = try FleetCodec.encode(command)
            try await mqtt.publish(payload, to: VehicleChannel.commands.topic(for: command.vehicleID), qos: .atLeastOnce)
            metrics.publishes(kind: "command", outcome: "ok")
        } catch {
            releaseInFlight([key])
            metrics.publishes(kind: "command", outcome: "error")
            logger.warning("Publishing command failed; will retry", metadata: ["command.id": "\(command.id)", "error": "\(error)"])
            return
        }
        await sentWrites.submit(ConfirmedCommand(id: command.id.rawValue, key: key)) { batch in await self.recordSent(batch) }
    }

    /// Records broker-confirmed commands as `sent` in one statement, then lets their keys go. Nobody is notified:
    /// a long-poll waits while a command is `pending` or `sent`, so this change would not end it.
    private func recordSent(_ batch: [ConfirmedCommand]) async {
        defer { releaseInFlight(batch.map(\.key)) }
        // Ids are distinct: a command's in-flight key is held from before its publish until this batch is stored.
        let requests = batch.map { TransitionRequest(commandID: $0.id, vehicleID: nil, status: .sent, reason: nil) }
        do {
            var applied = 0
            for outcome in try await commands.transition(requests) {
                if case .applied = outcome { applied += 1 }
            }
            if applied > 0 { metrics.transition(.sent, count: applied) }
        } catch {
            // Still `pending`: the command is published again at its next attempt (the vehicle ignores the repeat).
            logger.warning("Recording sent commands failed", metadata: ["commands": "\(requests.count)", "error": "\(error)"])
        }
    }

    // MARK: Acknowledgements

    /// Takes whatever acknowledgements arrived while the previous batch was being stored and stores them together.
    private func acknowledgementLoop() async {
        let acks = subscriptions.acks
        var iterator = acks.makeAsyncIterator()
        while let first = await iterator.next() {
            var batch = [first]
            // Buffered messages are returned at once; this loop is the subscription's only consumer.
            while batch.count < Self.batchLimit, acks.bufferedCount > 0, let next = await iterator.next() {
                batch.append(next)
            }
            await handleAcks(batch)
        }
    }

    /// Handles `subscription`'s messages on 16 lanes in parallel; all messages of one topic (one vehicle) go to the
    /// same lane, in order.
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

    /// Stores a batch of acknowledgements. Round n holds each command's n-th answer in the batch, one statement per
    /// round, so e.g. a command's `accepted` is always recorded before its `completed`. Only the first round is stored
    /// here: later rounds (a `completed` right behind its `accepted`) go to ``laterAnswerLoop()``, so the next batch's
    /// first answers, which end long-polls, do not wait behind them.
    func handleAcks(_ messages: [MQTTMessage]) async {
        var rounds = Self.rounds(messages.compactMap(decodeAck))
        guard !rounds.isEmpty else { return }
        await store(rounds.removeFirst())
        let later = rounds.flatMap { $0 }
        guard !later.isEmpty else { return }
        laterAnswers.withLock { $0 += later }
        laterAnswersQueued.fire()
    }

    /// Stores later answers, in arrival order, everything queued meanwhile together; drains the queue before it ends.
    private func laterAnswerLoop() async {
        while true {
            let batch = laterAnswers.withLock { queue in
                defer { queue.removeFirst(min(queue.count, Self.batchLimit)) }
                return Array(queue.prefix(Self.batchLimit))
            }
            if batch.isEmpty {
                if Task.isCancelled { return }
                await laterAnswersQueued.wait(timeout: .seconds(1))
                continue
            }
            for round in Self.rounds(batch) { await store(round) }
        }
    }

    /// Splits acknowledgements into rounds of distinct commands, keeping each command's answers in order.
    static func rounds(_ acks: [CommandAck]) -> [[CommandAck]] {
        var rounds: [[CommandAck]] = []
        var answers: [String: Int] = [:]
        for ack in acks {
            let round = answers[ack.commandID.rawValue, default: 0]
            answers[ack.commandID.rawValue] = round + 1
            if round == rounds.count { rounds.append([]) }
            rounds[round].append(ack)
        }
        return rounds
    }

    private func decodeAck(_ message: MQTTMessage) -> CommandAck? {
        guard case .vehicle(let topicVehicle, .commandAcks)? = FleetTopic(message.topic) else {
            metrics.invalidMessage(stream: "ack", reason: "topic")
            return nil
        }
        let ack: CommandAck
        do {
            ack = try FleetCodec.decode(CommandAck.self, from: message.payload)
        } catch {
            metrics.invalidMessage(stream: "ack", reason: "decode")
            logger.warning("Undecodable command acknowledgement", metadata: ["mqtt.topic": "\(message.topic)", "error": "\(error)"])
            return nil
        }
        guard ack.vehicleID == topicVehicle else {
            metrics.invalidMessage(stream: "ack", reason: "vehicle_mismatch")
            return nil
        }
        return ack
    }

    /// Applies acknowledgements for distinct commands in one statement.
    private func store(_ acks: [CommandAck]) async {
        let requests = acks.map { ack -> TransitionRequest in
            let status: CommandStatus =
                switch ack.status {
                case .accepted: .acknowledged
                case .rejected: .rejected
                case .completed: .completed
                case .failed: .failed
                }
            return TransitionRequest(commandID: ack.commandID.rawValue, vehicleID: ack.vehicleID.rawValue, status: status, reason: ack.reason)
        }
        let outcomes: [TransitionOutcome]
        do {
            // A conflict with a concurrent batch aborts the statement as a whole; nothing was applied, so run it again.
            outcomes = try await retryingPostgresConflicts(willRetry: { attempt, _ in
                metrics.storageRetry(stream: "ack")
                logger.warning("Storing acknowledgements conflicted with a concurrent statement; retrying", metadata: ["attempt": "\(attempt)"])
            }) {
                try await commands.transition(requests)
            }
        } catch {
            // Lost only if the database is down; the vehicle does not resend acknowledgements, so log loudly.
            metrics.invalidMessage(stream: "ack", reason: "storage", count: acks.count)
            logger.error(
                "Storing acknowledgements failed",
                metadata: ["acks": "\(acks.count)", "command.ids": "\(acks.prefix(10).map(\.commandID.rawValue))", "error": "\(String(reflecting: error))"]
            )
            return
        }
        let now = Date()
        var applied: [CommandStatus: Int] = [:]
        defer { for (status, count) in applied { metrics.transition(status, count: count) } }
        for (request, outcome) in zip(requests, outcomes) {
            switch outcome {
            case .applied(let createdAt):
                applied[request.status, default: 0] += 1
                if request.status == .acknowledged || request.status == .rejected {
                    metrics.acknowledgementLatency(seconds: max(0, now.timeIntervalSince(createdAt)))
                }
                notifier.notify(request.commandID)
            case .stale:
                metrics.invalidMessage(stream: "ack", reason: "stale")
            case .unknown:
                metrics.invalidMessage(stream: "ack", reason: "unknown_command")
                logger.info("Acknowledgement for an unknown command", metadata: ["command.id": "\(request.commandID)", "vehicle.id": "\(request.vehicleID ?? "")"])
            }
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
