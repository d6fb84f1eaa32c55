import FleetCore
import FleetMQTT

extension TelemetryValidator {
    /// Validates a message read from a raw telemetry subscription: the topic must be `fleet/v1/vehicles/{id}/telemetry`
    /// (its vehicle is the one the payload must name), then the payload as ``validate(_:topicVehicle:nowMillis:)``.
    /// What every consumer of raw telemetry (tracking's ingest aside) starts with.
    public func validate(_ message: MQTTMessage, nowMillis: Int64) -> Outcome {
        switch FleetTopic(message.topic) {
        case .vehicle(let vehicle, .telemetry): validate(message.payload, topicVehicle: vehicle, nowMillis: nowMillis)
        default: .rejected(.invalidTopic, detail: "telemetry is read only on fleet/v1/vehicles/{id}/telemetry", vehicleID: nil)
        }
    }
}
