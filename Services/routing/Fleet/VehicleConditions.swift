/// What fleet-routing knows of a vehicle's fitness, from the fleet events it hears.
struct VehicleConditions: Codable, Hashable, Sendable {
    /// Open critical faults (breakdowns) by code.
    var openFaults: Set<String> = []
    var lowBattery = false
    var offline = false
    /// When maintenance was last reported due.
    var maintenanceDueMillis: Int64?

    var isEmpty: Bool { openFaults.isEmpty && !lowBattery && !offline && maintenanceDueMillis == nil }
}
