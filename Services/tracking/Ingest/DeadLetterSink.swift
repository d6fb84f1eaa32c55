import FleetCore
import FleetMQTT
import Foundation
import Logging

/// Where rejected messages go: a counter per reason, the `dead_letters` table and
/// `fleet/v1/deadletter/tracking` (JSON with the reason and the original payload in base64).
struct DeadLetterSink: Sendable {
    let repository: any TrackingRepository
    let client: MQTTClient
    let metrics: IngestMetrics
    let logger: Logger

    static let topic = "\(FleetTopics.deadLetterPrefix)/tracking"

    /// The message published for one rejection.
    struct Message: Codable {
        var source: String
        var reason: String
        var detail: String
        var topic: String?
        var vehicleId: String?
        var receivedAtMs: Int64
        var payloadBase64: String

        enum CodingKeys: String, CodingKey {
            case source, reason, detail, topic
            case vehicleId = "vehicle_id"
            case receivedAtMs = "received_at_ms"
            case payloadBase64 = "payload_base64"
        }
    }

    func record(_ rejections: [Rejection]) async {
        guard !rejections.isEmpty else { return }
        for rejection in rejections {
            metrics.rejected(rejection)
        }
        do {
            try await repository.recordRejections(rejections)
        } catch {
            logger.error("Could not store dead letters", metadata: ["count": "\(rejections.count)", "error": "\(error)"])
        }
        let encoder = JSONEncoder()
        for rejection in rejections {
            let message = Message(
                source: rejection.source.rawValue, reason: rejection.reason.rawValue, detail: rejection.detail, topic: rejection.topic,
                vehicleId: rejection.vehicleID, receivedAtMs: rejection.receivedAtMillis,
                payloadBase64: Data(rejection.payload).base64EncodedString())
            do {
                try await client.publish(Array(try encoder.encode(message)), to: Self.topic, qos: .atLeastOnce)
            } catch {
                logger.warning("Could not publish dead letter", metadata: ["reason": "\(rejection.reason.rawValue)", "error": "\(error)"])
            }
        }
    }
}
