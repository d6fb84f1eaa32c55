/// Decodes and checks one telemetry payload: the single validation path of every service that reads what vehicles send
/// (tracking's MQTT and HTTP ingest, fleet-health's consumer), so a hostile payload is refused the same way everywhere.
public struct TelemetryValidator: Sendable {
    /// Device times accepted relative to the receive time.
    public var timestamps: TimestampPolicy
    /// Largest payload decoded.
    public var maxPayloadBytes = FleetLimits.defaultMaxMessageBytes

    /// Creates a validator accepting device times within `timestamps` of the receive time.
    public init(timestamps: TimestampPolicy, maxPayloadBytes: Int = FleetLimits.defaultMaxMessageBytes) {
        self.timestamps = timestamps
        self.maxPayloadBytes = maxPayloadBytes
    }

    /// The result of checking one payload.
    public enum Outcome: Sendable {
        case accepted(Telemetry)
        case rejected(RejectionReason, detail: String, vehicleID: String?)
    }

    /// Checks `payload`; `topicVehicle` is the vehicle named by the MQTT topic (nil for HTTP).
    public func validate(_ payload: [UInt8], topicVehicle: VehicleID?, nowMillis: Int64) -> Outcome {
        let telemetry: Telemetry
        do {
            telemetry = try FleetCodec.decode(Telemetry.self, from: payload, limits: WireLimits(maxMessageBytes: maxPayloadBytes))
        } catch {
            return .rejected(RejectionReason(error), detail: error.description, vehicleID: topicVehicle?.rawValue)
        }
        let vehicle = telemetry.vehicleID.rawValue
        if let topicVehicle, topicVehicle != telemetry.vehicleID {
            return .rejected(.vehicleMismatch, detail: "payload vehicle_id \(vehicle) was published on the topic of \(topicVehicle.rawValue)", vehicleID: topicVehicle.rawValue)
        }
        if telemetry.position.latitude == 0 && telemetry.position.longitude == 0 {
            return .rejected(.impossiblePosition, detail: "position (0, 0) is the null island placeholder of a receiver without a fix", vehicleID: vehicle)
        }
        switch timestamps.check(telemetry.deviceTimeMillis, nowMillis: nowMillis) {
        case .plausible:
            break
        case .inFuture:
            return .rejected(.timestampInFuture, detail: "device_time_ms \(telemetry.deviceTimeMillis) is more than \(timestamps.maxFutureSkewMillis / 1000) s ahead of the receive time \(nowMillis)", vehicleID: vehicle)
        case .tooOld:
            return .rejected(.timestampTooOld, detail: "device_time_ms \(telemetry.deviceTimeMillis) is older than the retention of \(timestamps.maxAgeMillis / 86_400_000) days", vehicleID: vehicle)
        }
        return .accepted(telemetry)
    }
}
