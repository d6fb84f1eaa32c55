/// The rules' thresholds. Every rule has a separate enter and leave level (or a number of confirming samples), so a
/// signal hovering at one threshold does not flap.
public struct HealthThresholds: Sendable, Hashable {
    /// `low_battery` below this state of charge, %.
    public var lowBatteryEnterPercent = 20.0
    /// `low_battery_cleared` above this, %.
    public var lowBatteryLeavePercent = 25.0
    /// `low_fuel` below this level, %.
    public var lowFuelEnterPercent = 15.0
    /// `low_fuel_cleared` above this, %.
    public var lowFuelLeavePercent = 20.0
    /// `overheating` above this engine temperature, °C …
    public var overheatEnterCelsius = 110.0
    /// … for this many consecutive samples.
    public var overheatEnterSamples = 3
    /// `overheating_cleared` below this, °C …
    public var overheatLeaveCelsius = 100.0
    /// … for this many consecutive samples.
    public var overheatLeaveSamples = 3
    /// A fault code (or status `fault`) is cleared after this many consecutive samples without it.
    public var faultClearSamples = 3
    /// `fuel_drop`: the level fell by at least this many points while parked …
    public var fuelDropPercent = 8.0
    /// … within this time, milliseconds.
    public var fuelDropWindowMillis: Int64 = 30 * 60_000
    /// Parked: slower than this, m/s.
    public var parkedSpeedMetersPerSecond = 0.5
    /// `silent`: an online vehicle sent no telemetry for this long, milliseconds.
    public var silentAfterMillis: Int64 = 120_000
    /// `battery_health`: usable capacity below this share of the rated capacity (0.7 = 30 % fade, the usual end of
    /// life of a traction cell).
    public var batteryHealthCapacityRatio = 0.8
    /// `maintenance_due`: predicted remaining useful life below this many cycles.
    public var maintenanceDueCycles = 30.0
    /// A signal's anomaly condition is left after this many consecutive normal samples.
    public var anomalyLeaveSamples = 10

    /// The defaults.
    public init() {}
}
