public import FleetCore

/// Something wrong with a vehicle that holds for a while: it is entered once, stays active, and is left once (each with
/// at most one fleet event), so nothing flaps. Stored as its ``key`` (`fault:P0217`, `low_battery`, `anomaly:rpm`…).
public struct HealthCondition: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// What kind of condition.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// A diagnostic trouble code is reported (``HealthCondition/detail`` is the code).
        case fault
        /// The vehicle reports status `fault` (with or without codes).
        case statusFault = "status_fault"
        case lowBattery = "low_battery"
        case lowFuel = "low_fuel"
        case overheating
        /// Fuel fell sharply while parked; left when the vehicle moves again.
        case fuelDrop = "fuel_drop"
        /// Battery capacity faded past the health threshold (or its end of life is near).
        case batteryHealth = "battery_health"
        /// The remaining-useful-life forecast is below the maintenance threshold.
        case maintenanceDue = "maintenance_due"
        /// Online, but no telemetry for the configured time.
        case silent
        /// Disconnected.
        case offline
        /// Stopped by an operator's pause.
        case paused
        /// A signal left its expected range (``HealthCondition/detail`` is the signal).
        case anomaly
    }

    /// The kind.
    public var kind: Kind
    /// The fault code or the signal, for ``Kind/fault`` and ``Kind/anomaly``.
    public var detail: String?

    /// Creates a condition.
    public init(_ kind: Kind, detail: String? = nil) {
        self.kind = kind
        self.detail = detail
    }

    /// A fault code.
    public static func fault(_ code: String) -> HealthCondition { HealthCondition(.fault, detail: code) }
    /// The detail of a ``Kind/statusFault`` entered while codes were reported (their own events tell it).
    public static let coded = "coded"

    /// An anomaly on `signal`.
    public static func anomaly(_ signal: String) -> HealthCondition { HealthCondition(.anomaly, detail: signal) }

    /// The stored form: the kind, then `:` and the detail when there is one.
    public var key: String { detail.map { "\(kind.rawValue):\($0)" } ?? kind.rawValue }

    /// Parses a stored ``key``; nil for text that is not one.
    public init?(key: String) {
        if let colon = key.firstIndex(of: ":") {
            guard let kind = Kind(rawValue: String(key[..<colon])) else { return nil }
            let detail = String(key[key.index(after: colon)...])
            guard !detail.isEmpty else { return nil }
            self.init(kind, detail: detail)
        } else {
            guard let kind = Kind(rawValue: key) else { return nil }
            self.init(kind)
        }
    }

    public var description: String { key }

    public static func < (lhs: HealthCondition, rhs: HealthCondition) -> Bool { lhs.key < rhs.key }

    /// The fleet event published when the condition is entered, if any (offline is tracking's; paused is the operator's).
    public var enterEvent: FleetEventType? {
        switch kind {
        case .statusFault: detail == Self.coded ? nil : .fault
        case .fault: .fault
        case .lowBattery: .lowBattery
        case .lowFuel: .lowFuel
        case .overheating: .overheating
        case .fuelDrop: .fuelDrop
        case .batteryHealth: .batteryHealth
        case .maintenanceDue: .maintenanceDue
        case .silent: .silent
        case .anomaly: .anomaly
        case .offline, .paused: nil
        }
    }

    /// The fleet event published when the condition is left, if any.
    public var leaveEvent: FleetEventType? {
        switch kind {
        case .statusFault: detail == Self.coded ? nil : .faultCleared
        case .fault: .faultCleared
        case .lowBattery: .lowBatteryCleared
        case .lowFuel: .lowFuelCleared
        case .overheating: .overheatingCleared
        case .silent: .silentCleared
        case .fuelDrop, .batteryHealth, .maintenanceDue, .anomaly, .offline, .paused: nil
        }
    }

    /// The downtime incident the condition keeps open, if any.
    public func incidentCause(faultCodes table: FaultCodeTable) -> IncidentCause? {
        switch kind {
        case .statusFault: .fault
        case .fault: table.info(for: detail ?? "").breakdown ? .fault : nil
        case .silent: .silent
        case .offline: .offline
        case .paused: .paused
        case .lowBattery, .lowFuel, .overheating, .fuelDrop, .batteryHealth, .maintenanceDue, .anomaly: nil
        }
    }
}
