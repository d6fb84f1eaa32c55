/// The faults the simulator can inject. The raw value is the metric label and configuration key suffix.
public enum FaultKind: String, Hashable, Sendable, CaseIterable, Comparable {
    /// The vehicle stops with status `fault` and fault code ``FaultCodes/breakdown`` for a while.
    case breakdown
    /// The engine temperature climbs above 110 °C, code ``FaultCodes/overheating``; the vehicle limps at reduced speed.
    case overheating
    /// The battery permanently loses 5–15 % of its capacity (electric vehicles only).
    case batteryDegradation = "battery_degradation"
    /// A sensor fault code is reported for a while; the vehicle keeps driving.
    case faultCode = "fault_code"
    /// The position is jittered by tens of metres and the reported accuracy worsens, for a while.
    case gpsNoise = "gps_noise"
    /// One sample's position jumps hundreds of metres off the road.
    case gpsJump = "gps_jump"
    /// The device clock runs seconds to minutes off for a while.
    case clockSkew = "clock_skew"
    /// One payload that is not valid telemetry is published on the telemetry topic.
    case malformedMessage = "malformed_message"
    /// One payload larger than the wire limit is published on the telemetry topic.
    case oversizedMessage = "oversized_message"
    /// The vehicle drops its connection for an offline period; it keeps buffering and replays afterwards.
    case offlinePeriod = "offline_period"

    /// Orders kinds by their declaration order.
    public static func < (lhs: FaultKind, rhs: FaultKind) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// The fault codes simulated vehicles report (OBD-II style).
public enum FaultCodes {
    /// Reported while broken down.
    public static let breakdown = "P0A0F"
    /// Reported while overheating (engine coolant over temperature).
    public static let overheating = "P0217"
    /// Reported after a battery degradation event (hybrid/EV battery pack deterioration).
    public static let batteryDegraded = "P0A80"
    /// Sensor fault codes drawn by ``FaultKind/faultCode``.
    public static let sensorFaults = ["P0101", "P0113", "P0128", "P0300", "P0420", "U0100", "C0035", "B1000"]
}
