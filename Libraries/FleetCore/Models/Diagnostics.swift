/// Degradation signals a vehicle reports for predictive maintenance, beside its ordinary telemetry: an engine's sensor
/// snapshot per operating cycle, and its traction battery's measured capacity per charge/discharge cycle.
///
/// Engine sensors follow the NASA C-MAPSS order (`s1`…`s21`: temperatures, pressures, speeds, ratios and flows of a
/// turbofan or an engine instrumented like one); fleet-health's remaining-useful-life model reads the ones it was
/// trained on by position.
public struct Diagnostics: Hashable, Sendable {
    /// The engine's operating-cycle counter. Wire name `engine_cycle`.
    public var engineCycle: UInt64?
    /// The engine's sensor readings for that cycle, at most ``FleetLimits/maxEngineSensors``. Wire name `engine_sensors`.
    public var engineSensors: [Double]
    /// The battery's charge/discharge-cycle counter. Wire name `battery_cycle`.
    public var batteryCycle: UInt64?
    /// The battery's capacity measured over that cycle, Ah. Wire name `battery_capacity_ah`.
    public var batteryCapacityAh: Double?
    /// The battery's rated capacity, Ah. Wire name `battery_rated_ah`.
    public var batteryRatedAh: Double?

    /// Creates diagnostics (not validated until ``validate()``).
    public init(
        engineCycle: UInt64? = nil, engineSensors: [Double] = [], batteryCycle: UInt64? = nil, batteryCapacityAh: Double? = nil,
        batteryRatedAh: Double? = nil
    ) {
        self.engineCycle = engineCycle
        self.engineSensors = engineSensors
        self.batteryCycle = batteryCycle
        self.batteryCapacityAh = batteryCapacityAh
        self.batteryRatedAh = batteryRatedAh
    }

    /// Checks counts and ranges; field names are relative (`engine_sensors[3]`, …).
    public func validate() throws(ValidationError) {
        if let engineCycle { try Check.range(engineCycle, FleetLimits.cycleCounter, "engine_cycle") }
        guard engineSensors.count <= FleetLimits.maxEngineSensors else {
            throw ValidationError(
                field: "engine_sensors", reason: "at most \(FleetLimits.maxEngineSensors) values allowed (got \(engineSensors.count))")
        }
        if !engineSensors.isEmpty && engineCycle == nil {
            throw ValidationError(field: "engine_cycle", reason: "is required with engine_sensors")
        }
        for (index, value) in engineSensors.enumerated() {
            try Check.range(value, FleetLimits.engineSensor, "engine_sensors[\(index)]")
        }
        if let batteryCycle { try Check.range(batteryCycle, FleetLimits.cycleCounter, "battery_cycle") }
        if let batteryCapacityAh { try Check.range(batteryCapacityAh, FleetLimits.batteryCapacityAh, "battery_capacity_ah") }
        if let batteryRatedAh {
            try Check.range(batteryRatedAh, FleetLimits.batteryCapacityAh, "battery_rated_ah")
            guard batteryRatedAh > 0 else { throw ValidationError(field: "battery_rated_ah", reason: "must be greater than 0") }
        }
        if batteryCapacityAh != nil && batteryCycle == nil {
            throw ValidationError(field: "battery_cycle", reason: "is required with battery_capacity_ah")
        }
    }
}
