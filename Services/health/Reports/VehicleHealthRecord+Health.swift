import FleetHealthRules
import FleetReports

extension VehicleHealthRecord {
    /// What ``reason`` says for a vehicle with nothing active but a maintenance forecast: the engine's
    /// remaining-useful-life model (the forecast `GET /v1/maintenance/forecast` ranks).
    static let forecastModel = "remaining_useful_life"

    /// The report's record of one vehicle, from what is recorded now.
    ///
    /// - score: ``HealthScore`` of the active conditions, as `GET /v1/vehicles/{id}/health` and `/v1/fleet/health` show it.
    /// - maintenanceDueMillis: the forecast predicts remaining life in engine cycles, not in time (fleet-health does not
    ///   know how long a vehicle's cycle lasts), so no future date is made up. A vehicle whose forecast is below the
    ///   maintenance threshold (`maintenance_due` in `/v1/maintenance/forecast`) is due: from when `maintenance_due`
    ///   was entered, or, until that is recorded, from when the forecast was stored. Otherwise nil.
    /// - reason: the worst active condition (the one that takes most off the score; ties by key, e.g. `fault:P0A0F`,
    ///   `low_battery`, `paused`), else ``forecastModel`` when the vehicle has a forecast, else nil.
    init(_ vehicle: ReportVehicle, faultCodes: FaultCodeTable, thresholds: HealthThresholds) {
        var due: Int64?
        if let since = vehicle.active[HealthCondition(.maintenanceDue)] {
            due = since
        } else if let cycles = vehicle.rulCycles, cycles < thresholds.maintenanceDueCycles {
            due = vehicle.rulAtMillis
        }
        let worst = vehicle.active.keys.min { a, b in
            (HealthScore.score([a], faultCodes: faultCodes), a.key) < (HealthScore.score([b], faultCodes: faultCodes), b.key)
        }
        self.init(
            vehicleID: vehicle.vehicleID, score: Double(HealthScore.score(vehicle.active.keys, faultCodes: faultCodes)), maintenanceDueMillis: due,
            reason: worst?.key ?? (vehicle.rulCycles == nil ? nil : Self.forecastModel))
    }
}
