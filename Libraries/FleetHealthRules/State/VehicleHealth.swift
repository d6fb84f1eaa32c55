import FleetAnomaly
public import FleetCore

/// One vehicle's live health: the conditions recorded as active, and the small amount of state the rules need to
/// decide the next transition (consecutive-sample counters, the parked fuel reference, one anomaly detector per signal).
///
/// A value type of fixed small size plus its active conditions, so 100,000 vehicles fit in a few hundred megabytes.
/// ``observe(_:receivedMillis:rules:)`` proposes transitions; the caller records them (the store decides against what is
/// recorded) and then calls ``record(_:)`` so this copy agrees with the record.
public struct VehicleHealth: Sendable {
    /// The vehicle.
    public let vehicleID: VehicleID
    /// Active conditions and since when (milliseconds), as recorded.
    public internal(set) var active: [HealthCondition: Int64] = [:]
    /// Receive time of the last accepted sample, milliseconds.
    public internal(set) var lastSeenMillis: Int64 = 0
    /// Device time of the newest sample evaluated, milliseconds; older samples (replays after an offline period,
    /// redeliveries) update nothing.
    public internal(set) var newestDeviceMillis: Int64 = .min
    /// Last levels, for the API.
    public internal(set) var batteryPercent: Double?
    public internal(set) var fuelPercent: Double?
    public internal(set) var engineTemperatureCelsius: Double?
    public internal(set) var status: VehicleStatus?

    /// Consecutive samples without each active fault code (and without status `fault`, key `""`).
    var faultAbsence: [String: Int] = [:]
    /// Consecutive samples above (positive) or below (negative) the overheating levels.
    var overheatRun = 0
    /// The fuel level a parked vehicle is compared against, and when it was taken.
    var parkedFuelReference: Double?
    var parkedFuelReferenceMillis: Int64 = 0
    /// One detector per watched signal, and how many normal samples followed an anomaly.
    var detectors = SignalDetectors()
    /// The previous sample's rpm and speed: the context that tells a stuck sensor from a steady one.
    var previousRPM: Double?
    var previousSpeed: Double?
    /// Engine and battery histories, only for vehicles that report diagnostics (kept out of line).
    var prognosticHistory = OutOfLine<PrognosticHistory>()
    var history: PrognosticHistory? {
        get { prognosticHistory.value }
        set { prognosticHistory.value = newValue }
    }

    /// A vehicle with nothing recorded.
    public init(vehicleID: VehicleID) {
        self.vehicleID = vehicleID
    }

    /// A vehicle whose recorded conditions are `active` (at start-up, from the store).
    public init(vehicleID: VehicleID, active: [HealthCondition: Int64], lastSeenMillis: Int64 = 0) {
        self.vehicleID = vehicleID
        self.active = active
        self.lastSeenMillis = lastSeenMillis
    }

    /// Whether `condition` is recorded as active.
    public func isActive(_ condition: HealthCondition) -> Bool { active[condition] != nil }

    /// Applies what the store recorded: entered conditions become active, left ones inactive.
    public mutating func record(_ transitions: [HealthTransition]) {
        for transition in transitions where transition.vehicleID == vehicleID {
            switch transition.change {
            case .enter:
                if active[transition.condition] == nil { active[transition.condition] = transition.timeMillis }
            case .leave:
                active[transition.condition] = nil
                if transition.condition.kind == .fault, let code = transition.condition.detail { faultAbsence[code] = nil }
                if transition.condition.kind == .statusFault { faultAbsence[""] = nil }
            }
        }
    }

    /// Replaces the recorded conditions (after the store reloaded them).
    public mutating func replaceActive(_ conditions: [HealthCondition: Int64]) { active = conditions }

    /// Marks the vehicle as heard from at `receivedMillis` without evaluating anything.
    public mutating func touch(receivedMillis: Int64) { lastSeenMillis = max(lastSeenMillis, receivedMillis) }
}
