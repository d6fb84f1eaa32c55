import FleetCore
import FleetMQTT
import FleetService
import Foundation
import Logging
import Synchronization

/// Stores vehicles' answers to commands. Round n of a batch holds each command's n-th answer, one statement per round,
/// so e.g. a command's `accepted` is always recorded before its `completed`. Only the first round is stored by the
/// ``AcknowledgementConsumer``: later rounds (a `completed` right behind its `accepted`) are queued for the
/// ``LaterAnswerWriter``, so the next batch's first answers, which end long-polls, do not wait behind them.
final class AnswerRecorder: Sendable {
    let commands: any CommandRepository
    let notifier: CommandNotifier
    let metrics: ControlMetrics
    let logger: Logger
    /// Later answers waiting for the ``LaterAnswerWriter``. Unbounded, but filled no faster than the acknowledgement
    /// consumer stores batches, which is what holds back the broker's deliveries when the database is slow.
    private let laterAnswers = Mutex<[CommandAck]>([])
    let laterAnswersQueued = WakeSignal()

    init(commands: any CommandRepository, notifier: CommandNotifier, metrics: ControlMetrics, logger: Logger) {
        self.commands = commands
        self.notifier = notifier
        self.metrics = metrics
        self.logger = logger
    }

    /// Stores the first round of `messages` now and queues the later rounds.
    func handle(_ messages: [MQTTMessage]) async {
        var rounds = Self.rounds(messages.compactMap(decodeAck))
        guard !rounds.isEmpty else { return }
        await store(rounds.removeFirst())
        let later = rounds.flatMap { $0 }
        guard !later.isEmpty else { return }
        laterAnswers.withLock { $0 += later }
        laterAnswersQueued.fire()
    }

    /// Takes up to `limit` queued later answers, oldest first.
    func takeLaterAnswers(limit: Int) -> [CommandAck] {
        laterAnswers.withLock { queue in
            defer { queue.removeFirst(min(queue.count, limit)) }
            return Array(queue.prefix(limit))
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
    func store(_ acks: [CommandAck]) async {
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
}
