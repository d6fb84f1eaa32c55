import FleetAnomaly

/// The signals fleet-health watches for anomalies, and one streaming detector for each. Energy levels are not among
/// them: they drain steadily by design (a drift detector flags every drive) and jump on every charge or refuel; their
/// failures are the low-level and fuel-drop rules' business.
public enum WatchedSignal: String, Sendable, CaseIterable {
    case speed = "speed_mps"
    case rpm
    case engineTemperature = "engine_temp_c"
}

/// The streaming detectors of one vehicle, stored inline (no allocation per vehicle), with the count of normal samples
/// since each signal's last finding.
struct SignalDetectors: Sendable {
    // Fast signals with the default settings; the slowly varying, quantised temperature with the slow-signal settings.
    var speed = AnomalyDetector()
    var rpm = AnomalyDetector()
    var engineTemperature = AnomalyDetector(configuration: .slowSignal(resolution: 0.1))
    /// Normal samples since the last finding, per signal.
    var calm: (UInt16, UInt16, UInt16) = (0, 0, 0)

    /// The signal's finding for `value`, if any.
    mutating func observe(_ signal: WatchedSignal, _ value: Double, context: AnomalyContext) -> AnomalyFinding? {
        switch signal {
        case .speed: speed.observe(value, context: context)
        case .rpm: rpm.observe(value, context: context)
        case .engineTemperature: engineTemperature.observe(value, context: context)
        }
    }

    /// Counts a normal sample (returns the new count) or resets the count after a finding.
    mutating func calmCount(_ signal: WatchedSignal, normal: Bool) -> Int {
        func step(_ value: inout UInt16) -> Int {
            value = normal ? (value == .max ? value : value + 1) : 0
            return Int(value)
        }
        switch signal {
        case .speed: return step(&calm.0)
        case .rpm: return step(&calm.1)
        case .engineTemperature: return step(&calm.2)
        }
    }
}
