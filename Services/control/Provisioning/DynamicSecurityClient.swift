import FleetMQTT
import FleetService
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Administers the broker's dynamic-security plugin over MQTT, as `mosquitto_ctrl` does: a batch of commands as JSON on
/// `$CONTROL/dynamic-security/v1`, one answer per command on `…/response`, matched by correlation data.
///
/// Its connection uses the provisioner account (`FLEET_CONTROL_PROVISIONER_USERNAME`, role `provisioner`), apart from
/// the service's own, so fleet-control's everyday account has no broker-admin rights.
final class DynamicSecurityClient: Sendable {
    static let commandTopic = "$CONTROL/dynamic-security/v1"
    static let responseTopic = "$CONTROL/dynamic-security/v1/response"

    /// One command's answer: `error` is nil when it succeeded.
    struct Answer: Sendable, Equatable {
        var command: String
        var error: String?
    }

    /// The broker did not answer, or answered something this client cannot read.
    struct Unavailable: Error, CustomStringConvertible {
        var description: String
    }

    let mqtt: MQTTClient
    let subscription: MQTTSubscription
    let timeout: Duration
    let logger: Logger
    private let pending = Mutex<[String: CheckedContinuation<[Answer], any Error>]>([:])

    /// Connects nothing yet: the client and the response loop (``ResponseLoop``) run as services.
    init(mqtt: MQTTClient, subscription: MQTTSubscription, timeout: Duration = .seconds(5), logger: Logger) {
        self.mqtt = mqtt
        self.subscription = subscription
        self.timeout = timeout
        self.logger = logger
    }

    /// Runs `commands` (each a dynamic-security command object) as one batch and returns their answers in order.
    func run(_ commands: [[String: any Sendable]]) async throws -> [Answer] {
        let id = UUID().uuidString
        var batch: [[String: Any]] = []
        for (index, command) in commands.enumerated() {
            var tagged: [String: Any] = command
            tagged["correlationData"] = "\(id):\(index)"
            batch.append(tagged)
        }
        let payload = try JSONSerialization.data(withJSONObject: ["commands": batch])
        let count = commands.count
        return try await withDeadline(timeout) { [self] in
            try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[Answer], any Error>) in
                    pending.withLock { $0[id] = continuation }
                    Task {
                        do {
                            try await mqtt.publish(Array(payload), to: Self.commandTopic, qos: .atLeastOnce)
                        } catch {
                            self.fail(id, error)
                        }
                    }
                }
            } onCancel: {
                self.fail(id, Unavailable(description: "the broker did not answer the dynamic-security request in time"))
            }
        }.prefix(count).map { $0 }
    }

    private func fail(_ id: String, _ error: any Error) {
        pending.withLock { $0.removeValue(forKey: id) }?.resume(throwing: error)
    }

    /// Hands one response message to the requests waiting for it.
    func receive(_ message: MQTTMessage) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(message.payload)) as? [String: Any],
            let responses = object["responses"] as? [[String: Any]]
        else {
            logger.warning("Unreadable dynamic-security response", metadata: ["bytes": "\(message.payload.count)"])
            return
        }
        var byRequest: [String: [(Int, Answer)]] = [:]
        for response in responses {
            guard let correlation = response["correlationData"] as? String, let colon = correlation.lastIndex(of: ":"),
                let index = Int(correlation[correlation.index(after: colon)...])
            else { continue }
            let answer = Answer(command: response["command"] as? String ?? "?", error: response["error"] as? String)
            byRequest[String(correlation[..<colon]), default: []].append((index, answer))
        }
        for (id, answers) in byRequest {
            let ordered = answers.sorted { $0.0 < $1.0 }.map(\.1)
            pending.withLock { $0.removeValue(forKey: id) }?.resume(returning: ordered)
        }
    }

    /// Reads the response topic for as long as the service runs.
    struct ResponseLoop: Service {
        let client: DynamicSecurityClient

        func run() async throws {
            await cancelWhenGracefulShutdown {
                for await message in client.subscription {
                    client.receive(message)
                }
            }
        }
    }
}
