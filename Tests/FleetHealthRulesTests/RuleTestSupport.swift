import FleetCore
import FleetHealthRules

/// A stream of samples for one vehicle, one second apart, recording what the store would: every proposed transition is
/// taken as recorded.
struct Stream {
    var vehicle = VehicleHealth(vehicleID: try! VehicleID("van-1"))
    var rules: HealthRules
    var time: Int64 = 1_764_000_000_000
    var sequence: UInt64 = 0
    /// Everything recorded so far, in order.
    var recorded: [HealthTransition] = []

    init(thresholds: HealthThresholds = HealthThresholds(), anomalies: Bool = false) {
        rules = HealthRules(thresholds: thresholds, faultCodes: try! FaultCodeTable.bundled(), detectsAnomalies: anomalies)
    }

    /// Sends one sample; returns the transitions it decided.
    @discardableResult
    mutating func send(
        speed: Double = 10, battery: Double? = nil, fuel: Double? = nil, temperature: Double? = nil, rpm: Double? = nil,
        status: VehicleStatus = .moving, codes: [String] = [], diagnostics: Diagnostics? = nil, advance: Int64 = 1_000
    ) -> [HealthTransition] {
        time += advance
        sequence += 1
        let sample = Telemetry(
            vehicleID: vehicle.vehicleID, sequence: sequence, deviceTimeMillis: time, position: Position(latitude: 43.73, longitude: 7.42),
            speedMetersPerSecond: speed, headingDegrees: 0, odometerMeters: 1_000, batteryPercent: battery, fuelPercent: fuel,
            engineTemperatureCelsius: temperature, rpm: rpm, status: status, faultCodes: codes, diagnostics: diagnostics)
        let transitions = vehicle.observe(sample, receivedMillis: time, rules: rules)
        vehicle.record(transitions)
        recorded += transitions
        return transitions
    }

    /// Keys of the recorded transitions, as `enter low_battery` / `leave fault:P0217`.
    var history: [String] { recorded.map { "\($0.change.rawValue) \($0.condition.key)" } }
}
