import FleetAnomaly

/// The signals fleet-health watches for anomalies, and one streaming detector for each.
public enum WatchedSignal: String, Sendable, CaseIterable {
    case speed = "speed_mps"
    case rpm
    case engineTemperature = "engine_temp_c"
    case battery = "battery_pct"
    case fuel = "fuel_pct"
}

/// The streaming detectors of one vehicle, stored inline (no allocation per vehicle), with the count of normal samples
/// since each signal's last finding. A vehicle has one energy store to watch: the battery or the fuel level, whichever
/// it reports first (a hybrid reporting both is watched on that one), so four detectors cover the five signals.
struct SignalDetectors: Sendable {
    // Fast signals with the default settings; slowly varying, quantised ones with the slow-signal settings.
    var speed = AnomalyDetector()
    var rpm = AnomalyDetector()
    var engineTemperature = AnomalyDetector(configuration: .slowSignal(resolution: 0.1))
    var energy = AnomalyDetector(configuration: .slowSignal(resolution: 0.01))
    /// Which level ``energy`` watches, once known.
    var energySignal: WatchedSignal?
    /// Normal samples since the last finding, per signal (index = `WatchedSignal.allCases` order).
    var calm: (UInt16, UInt16, UInt16, UInt16, UInt16) = (0, 0, 0, 0, 0)

    /// The signal's finding for `value`, if any; nil too for the energy level the vehicle's detector does not watch.
    mutating func observe(_ signal: WatchedSignal, _ value: Double, context: AnomalyContext) -> AnomalyFinding? {
        switch signal {
        case .speed: return speed.observe(value, context: context)
        case .rpm: return rpm.observe(value, context: context)
        case .engineTemperature: return engineTemperature.observe(value, context: context)
        case .battery, .fuel:
            if energySignal == nil { energySignal = signal }
            guard energySignal == signal else { return nil }
            return energy.observe(value, context: context)
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
        case .battery: return step(&calm.3)
        case .fuel: return step(&calm.4)
        }
    }
}
