import FleetCore
import FleetPrognostics

extension VehicleHealth {
    /// Feeds a sample's diagnostics to the vehicle's history; a new engine cycle updates the RUL forecast and a new
    /// battery cycle the battery estimate, and each can enter or leave `maintenance_due` / `battery_health`.
    mutating func forecast(_ diagnostics: Diagnostics, prognostics: Prognostics, limits: HealthThresholds, into out: inout Proposals) {
        var history = self.history ?? PrognosticHistory()
        defer { self.history = history }

        if let cycle = diagnostics.engineCycle, !diagnostics.engineSensors.isEmpty, cycle > (history.lastEngineCycle ?? 0) || history.lastEngineCycle == nil {
            let indices = prognostics.sensorIndices
            if indices.count == prognostics.engine.sensorNames.count, let last = indices.max(), last < diagnostics.engineSensors.count {
                // A counter that went backwards or jumped far ahead is a new (or rebuilt) engine: start its history again.
                if let previous = history.lastEngineCycle, cycle != previous + 1 {
                    history.engineRows.removeAll()
                }
                if history.engineRows.isEmpty { history.firstEngineCycle = cycle }
                history.engineRows.append(indices.map { diagnostics.engineSensors[$0] })
                if history.engineRows.count > prognostics.engine.window {
                    history.engineRows.removeFirst(history.engineRows.count - prognostics.engine.window)
                    history.firstEngineCycle = cycle - UInt64(prognostics.engine.window) + 1
                }
                history.lastEngineCycle = cycle
                let parts = prognostics.engine.components(cycles: history.engineRows, firstCycle: Int(history.firstEngineCycle))
                let values = [parts.trees, parts.rul] + [parts.network, parts.convolution].compactMap { $0 }
                let forecast = EngineForecast(rulCycles: parts.rul, lower: values.min() ?? parts.rul, upper: values.max() ?? parts.rul, cycle: cycle)
                history.engine = forecast
                let condition = HealthCondition(.maintenanceDue)
                let attributes = [
                    "rul_cycles": Self.format(forecast.rulCycles, digits: 1), "rul_lower": Self.format(forecast.lower, digits: 1),
                    "rul_upper": Self.format(forecast.upper, digits: 1), "engine_cycle": String(cycle),
                    "threshold_cycles": Self.format(limits.maintenanceDueCycles),
                ]
                if forecast.rulCycles < limits.maintenanceDueCycles {
                    out.enter(condition, forecast.rulCycles < limits.maintenanceDueCycles / 2 ? .critical : .warning, attributes)
                } else if forecast.rulCycles > limits.maintenanceDueCycles * 1.5 {
                    // Well clear of the threshold again: maintained or replaced.
                    out.leave(condition, attributes)
                }
            }
        }

        if let cycle = diagnostics.batteryCycle, let capacity = diagnostics.batteryCapacityAh, let rated = diagnostics.batteryRatedAh, rated > 0,
            cycle > (history.lastBatteryCycle ?? 0) || history.lastBatteryCycle == nil
        {
            if let previous = history.lastBatteryCycle, cycle < previous { history.capacities.removeAll() }
            history.capacities.append(capacity / rated * prognostics.referenceRatedAh)
            if history.capacities.count > prognostics.maxBatteryCycles { history.capacities.removeFirst() }
            history.lastBatteryCycle = cycle
            // The median of the last five cycles: a cell regains up to 0.15 Ah after a rest (regeneration), which must
            // neither clear nor raise the condition on its own.
            let recent = history.capacities.suffix(5).sorted()
            let ratio = recent[recent.count / 2] / prognostics.referenceRatedAh
            let forecast = prognostics.battery.predictEndOfLife(capacities: history.capacities)
            let estimate = BatteryEstimate(
                capacityRatio: ratio, endOfLifeCycle: forecast?.endOfLifeCycle, lower: forecast?.lower, upper: forecast?.upper, cycle: cycle)
            history.battery = estimate
            let condition = HealthCondition(.batteryHealth)
            var attributes = [
                "capacity_pct": Self.format(ratio * 100, digits: 1), "capacity_ah": Self.format(capacity, digits: 3),
                "battery_cycle": String(cycle), "threshold_pct": Self.format(limits.batteryHealthCapacityRatio * 100, digits: 1),
            ]
            if let forecast {
                attributes["eol_cycle"] = Self.format(forecast.endOfLifeCycle, digits: 0)
                attributes["remaining_cycles"] = Self.format(forecast.remainingCycles, digits: 0)
            }
            if ratio < limits.batteryHealthCapacityRatio {
                out.enter(condition, ratio < 0.7 ? .critical : .warning, attributes)
            } else if ratio > limits.batteryHealthCapacityRatio + 0.05 {
                out.leave(condition, attributes)
            }
        }
    }

    /// The latest remaining-useful-life forecast, if the vehicle reports engine diagnostics.
    public var engineForecast: EngineForecast? { history?.engine }
    /// The latest battery estimate, if the vehicle reports battery diagnostics.
    public var batteryEstimate: BatteryEstimate? { history?.battery }
}
