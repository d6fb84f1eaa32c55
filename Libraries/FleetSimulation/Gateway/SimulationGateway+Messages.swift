import CoreMetrics
import Logging
import FleetCore
public import FleetMQTT

extension SimulationGateway {
    // MARK: Commands

    /// Handles a message from `fleet/v1/vehicles/+/commands` and returns the acknowledgements to publish.
    ///
    /// Commands for vehicles outside this simulator's id namespace (`<prefix>-<digits>`, see `ownsNamespace`) are
    /// ignored: another simulator or a real vehicle answers them. Inside it, an unknown vehicle, a `vehicle_id` that
    /// does not match the topic and an expired command are rejected with a reason; a repeated command id is ignored.
    public func handleCommand(_ message: MQTTMessage, nowMillis: Int64) -> [OutgoingMessage] {
        guard case .vehicle(let topicID, .commands)? = FleetTopic(message.topic) else {
            return invalid("commands", message, reason: "not a command topic")
        }
        guard let index = indexByID[topicID.rawValue] else {
            guard ownsNamespace(topicID), let command = try? FleetCodec.decode(Command.self, from: message.payload) else { return [] }
            return reject(command, topic: VehicleChannel.commandAcks.topic(for: topicID), reason: "unknown vehicle \(topicID)", nowMillis: nowMillis)
        }
        let command: Command
        do {
            command = try FleetCodec.decode(Command.self, from: message.payload)
        } catch {
            return invalid("commands", message, reason: "\(error)")
        }
        guard command.vehicleID == topicID else {
            return reject(command, topic: ackTopics[index], reason: "vehicle_id \(command.vehicleID) does not match the topic's vehicle \(topicID)", nowMillis: nowMillis)
        }
        guard recentCommands.insert(command.id) else {
            metrics.commands["duplicate"]?.increment()
            logger.debug("Ignoring a repeated command", metadata: ["command.id": "\(command.id)", "vehicle.id": "\(topicID)"])
            return []
        }
        if command.isExpired(nowMillis: nowMillis) {
            return reject(command, topic: ackTopics[index], reason: "expired at \(command.expiresAtMillis) ms (now \(nowMillis) ms)", nowMillis: nowMillis)
        }
        logger.info(
            "Executing command",
            metadata: ["command.id": "\(command.id)", "vehicle.id": "\(topicID)", "command.action": "\(command.action.kind.rawValue)"])
        switch model.execute(command, vehicle: index, nowMillis: nowMillis) {
        case .completed:
            return [
                ackMessage(index, commandID: command.id, status: .accepted, reason: nil, nowMillis: nowMillis),
                ackMessage(index, commandID: command.id, status: .completed, reason: nil, nowMillis: nowMillis),
            ].compactMap { $0 }
        case .accepted:
            return [ackMessage(index, commandID: command.id, status: .accepted, reason: nil, nowMillis: nowMillis)].compactMap { $0 }
        case .rejected(let reason):
            return reject(command, topic: ackTopics[index], reason: reason, nowMillis: nowMillis)
        }
    }

    /// Whether `id` looks like one of this simulator's vehicles (`<prefix>-<digits>`).
    func ownsNamespace(_ id: VehicleID) -> Bool {
        guard let first = model.vehicleIDs.first?.rawValue, let dash = first.lastIndex(of: "-") else { return false }
        let prefix = first[...dash]
        return id.rawValue.hasPrefix(prefix) && id.rawValue.dropFirst(prefix.count).allSatisfy(\.isNumber)
            && id.rawValue.count > prefix.count
    }

    func reject(_ command: Command, topic: String, reason: String, nowMillis: Int64) -> [OutgoingMessage] {
        statistics.rejectedCommands += 1
        logger.info("Rejecting command", metadata: ["command.id": "\(command.id)", "vehicle.id": "\(command.vehicleID)", "reason": "\(reason)"])
        let ack = CommandAck(commandID: command.id, vehicleID: command.vehicleID, status: .rejected, reason: String(reason.prefix(FleetLimits.maxReasonLength)), atMillis: nowMillis)
        metrics.commands["rejected"]?.increment()
        guard let payload = try? FleetCodec.encode(ack) else { return [] }
        return [OutgoingMessage(topic: topic, payload: payload, qos: .atLeastOnce, retain: false, purpose: .ack)]
    }

    func ackMessage(_ index: Int, commandID: MessageID, status: CommandAckStatus, reason: String?, nowMillis: Int64) -> OutgoingMessage? {
        metrics.commands[status.rawValue]?.increment()
        let ack = CommandAck(commandID: commandID, vehicleID: model.vehicleIDs[index], status: status, reason: reason, atMillis: nowMillis)
        guard let payload = try? FleetCodec.encode(ack) else { return nil }
        return OutgoingMessage(topic: ackTopics[index], payload: payload, qos: .atLeastOnce, retain: false, purpose: .ack)
    }

    func invalid(_ channel: String, _ message: MQTTMessage, reason: String) -> [OutgoingMessage] {
        statistics.invalidMessages += 1
        metrics.invalid[channel]?.increment()
        logger.warning("Ignoring an invalid message", metadata: ["mqtt.topic": "\(message.topic)", "reason": "\(reason)"])
        return []
    }

    // MARK: Desired state and commits

    /// Handles a (usually retained) message from `fleet/v1/vehicles/+/desired`: the vehicle converges to it.
    /// Older revisions than the one applied are ignored.
    public func handleDesired(_ message: MQTTMessage) {
        guard case .vehicle(let topicID, .desired)? = FleetTopic(message.topic) else {
            _ = invalid("desired", message, reason: "not a desired-state topic")
            return
        }
        guard let index = indexByID[topicID.rawValue] else { return }
        guard !message.payload.isEmpty else { return }  // a cleared retained message
        let state: DesiredState
        do {
            state = try FleetCodec.decode(DesiredState.self, from: message.payload)
        } catch {
            _ = invalid("desired", message, reason: "\(error)")
            return
        }
        guard state.vehicleID == topicID else {
            _ = invalid("desired", message, reason: "vehicle_id \(state.vehicleID) does not match the topic")
            return
        }
        if let current = desired[index], current.revision > state.revision { return }
        desired[index] = state
        model.apply(state, vehicle: index)
    }

    /// Handles a retained ``TelemetryCommit`` from `fleet/v1/vehicles/+/telemetry/committed`: drops the samples it
    /// covers; before the first sample it also sets where the vehicle's numbering continues.
    public func handleCommit(_ message: MQTTMessage) {
        guard case .vehicle(let topicID, .telemetryCommitted)? = FleetTopic(message.topic) else {
            _ = invalid("telemetry_committed", message, reason: "not a commit topic")
            return
        }
        guard let index = indexByID[topicID.rawValue], !message.payload.isEmpty else { return }
        let commit: TelemetryCommit
        do {
            commit = try FleetCodec.decode(TelemetryCommit.self, from: message.payload)
        } catch {
            _ = invalid("telemetry_committed", message, reason: "\(error)")
            return
        }
        guard commit.vehicleID == topicID else {
            _ = invalid("telemetry_committed", message, reason: "vehicle_id \(commit.vehicleID) does not match the topic")
            return
        }
        statistics.commits += 1
        metrics.commitsReceived.increment()
        let dropped = outboxes[index].commit(commit.sequence)
        if dropped > 0 { metrics.committedDropped.increment(by: dropped) }
    }

    /// Handles a ``CommitBatch`` from the commit stream (`fleet/v1/commits/+`): like a ``TelemetryCommit`` for each
    /// of its vehicles this gateway speaks for (others are skipped), usually a tick after the database commit instead
    /// of up to a rate-limit interval later.
    public func handleCommitBatch(_ message: MQTTMessage) {
        guard message.topic.hasPrefix(FleetTopics.commitsPrefix + "/") else {
            _ = invalid("commit_batch", message, reason: "not a commit stream topic")
            return
        }
        let batch: CommitBatch
        do {
            batch = try FleetCodec.decode(CommitBatch.self, from: message.payload)
        } catch {
            _ = invalid("commit_batch", message, reason: "\(error)")
            return
        }
        var dropped = 0
        for entry in batch.commits {
            guard let index = indexByID[entry.vehicleID.rawValue] else { continue }
            statistics.commits += 1
            metrics.commitsReceived.increment()
            dropped += outboxes[index].commit(entry.sequence)
        }
        if dropped > 0 { metrics.committedDropped.increment(by: dropped) }
    }
}
