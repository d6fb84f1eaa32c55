import FleetCore
import FleetMQTT
import FleetService
import Logging
import Synchronization

/// What the delivery services share: publishing commands (QoS 1) and desired states (retained, QoS 1) with one publish
/// in flight per command or desired revision, and recording broker confirmations in batches (``GroupCommit``): one
/// statement marks every command confirmed meanwhile `sent`, another every desired state published.
///
/// Used by ``NewCommandPublisher`` (first attempts), ``DeliveryScanner`` (resends, desired states, expiry) and
/// ``VehicleStateConsumer`` (which wakes the scanner when a vehicle comes online).
final class CommandDelivery: Sendable {
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
    let commands: any CommandRepository
    let metrics: ControlMetrics
    let logger: Logger
    /// Wakes the ``DeliveryScanner`` early (a vehicle came online, a batch was full).
    let scan = WakeSignal()
    /// Commands just stored by the API, for their first publish. Bounded: when delivery is this far behind, further
    /// new commands wait for their first resend instead.
    let new = AsyncStream<[Command]>.makeStream(bufferingPolicy: .bufferingOldest(1_000))
    private let inFlight = Mutex<Set<String>>([])
    private let sentWrites = GroupCommit<ConfirmedCommand>(maxBatch: CommandDelivery.batchLimit)
    private let publishedWrites = GroupCommit<ConfirmedDesired>(maxBatch: CommandDelivery.batchLimit)

    init(mqtt: MQTTClient, commands: any CommandRepository, metrics: ControlMetrics, logger: Logger) {
        self.mqtt = mqtt
        self.commands = commands
        self.metrics = metrics
        self.logger = logger
    }

    /// Hands commands the API has just stored to ``NewCommandPublisher``. The desired states they change are published
    /// by the next scan (within the scan interval): waking a scan per request would cost two queries per command.
    func deliver(_ commands: NewCommands) {
        if case .dropped = new.continuation.yield(commands.wireCommands) { metrics.publishes(kind: "command", outcome: "deferred") }
    }

    /// Publishes `command` in `group` unless a publish of it is already in flight; returns whether it started.
    @discardableResult
    func startPublishing(_ command: Command, in group: inout DiscardingTaskGroup) -> Bool {
        let key = "command/\(command.id.rawValue)"
        guard claimInFlight(key) else { return false }
        group.addTask { await self.publish(command, key: key) }
        return true
    }

    /// Publishes `desired` in `group` unless a publish of that revision is already in flight.
    func startPublishing(_ desired: DesiredState, in group: inout DiscardingTaskGroup) {
        let key = "desired/\(desired.vehicleID.rawValue)/\(desired.revision)"
        guard claimInFlight(key) else { return }
        group.addTask { await self.publish(desired, key: key) }
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
        let published = await publish(
            kind: "desired", key: key, retain: true, to: VehicleChannel.desired.topic(for: desired.vehicleID),
            metadata: ["vehicle.id": "\(desired.vehicleID)"]
        ) { try FleetCodec.encode(desired) }
        guard published else { return }
        let confirmed = ConfirmedDesired(vehicle: desired.vehicleID.rawValue, revision: desired.revision, key: key)
        await publishedWrites.submit(confirmed) { batch in await self.recordPublished(batch) }
    }

    /// Publishes at QoS 1 and counts the outcome; a failure lets `key` go, so the next scan publishes it again.
    private func publish(
        kind: String, key: String, retain: Bool, to topic: String, metadata: Logger.Metadata, payload: () throws -> [UInt8]
    ) async -> Bool {
        do {
            try await mqtt.publish(try payload(), to: topic, qos: .atLeastOnce, retain: retain)
            metrics.publishes(kind: kind, outcome: "ok")
            return true
        } catch {
            releaseInFlight([key])
            metrics.publishes(kind: kind, outcome: "error")
            logger.warning("Publishing \(kind) failed; will retry", metadata: metadata.merging(["error": "\(error)"]) { $1 })
            return false
        }
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
        let published = await publish(
            kind: "command", key: key, retain: false, to: VehicleChannel.commands.topic(for: command.vehicleID),
            metadata: ["command.id": "\(command.id)"]
        ) { try FleetCodec.encode(command) }
        guard published else { return }
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
}
