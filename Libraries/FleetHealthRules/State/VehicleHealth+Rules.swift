import FleetAnomaly
public import FleetCore

extension VehicleHealth {
    /// Evaluates one validated sample and returns the transitions it decides (usually none). Samples older than the
    /// newest one evaluated (replays, redeliveries) only mark the vehicle as heard from.
    public mutating func observe(_ sample: Telemetry, receivedMillis: Int64, rules: HealthRules) -> [HealthTransition] {
        touch(receivedMillis: receivedMillis)
        guard sample.deviceTimeMillis > newestDeviceMillis else { return [] }
        newestDeviceMillis = sample.deviceTimeMillis
        let limits = rules.thresholds
        var out = Proposals(vehicleID: vehicleID, timeMillis: sample.deviceTimeMillis, active: active)
        // Attributes are built only for a transition that happens (autoclosures): most samples decide nothing.
        func enter(_ condition: HealthCondition, _ severity: Severity, _ attributes: @autoclosure () -> [String: String]) {
            out.enter(condition, severity, attributes())
        }
        func leave(_ condition: HealthCondition, _ attributes: @autoclosure () -> [String: String]) { out.leave(condition, attributes()) }

        // A sample after silence clears it at once: the vehicle is evidently talking.
        leave(HealthCondition(.silent), ["silent_since_ms": active[HealthCondition(.silent)].map(String.init) ?? ""])

        // Fault codes: entered on the first report, cleared after `faultClearSamples` samples without them.
        let reported = Set(sample.faultCodes.map { $0.uppercased() })
        for code in reported {
            faultAbsence[code] = 0
            let info = rules.faultCodes.info(for: code)
            enter(.fault(code), info.severity, [
                "code": code, "text": info.text, "system": info.system, "breakdown": info.breakdown ? "true" : "false",
                "known": rules.faultCodes.knows(code) ? "true" : "false",
            ])
        }
        for (condition, _) in active where condition.kind == .fault {
            guard let code = condition.detail, !reported.contains(code) else { continue }
            let absent = (faultAbsence[code] ?? 0) + 1
            faultAbsence[code] = absent
            if absent >= limits.faultClearSamples {
                let info = rules.faultCodes.info(for: code)
                leave(condition, ["code": code, "text": info.text, "system": info.system])
            }
        }
        // Status `fault` reported with codes is already told by the codes' events: it keeps the incident open, silently.
        let statusFault = active.keys.first { $0.kind == .statusFault }
            ?? HealthCondition(.statusFault, detail: reported.isEmpty ? nil : HealthCondition.coded)
        if sample.status == .fault {
            faultAbsence[""] = 0
            enter(statusFault, .critical, [
                "code": "status", "text": "Vehicle reports status fault", "system": "vehicle", "breakdown": "true",
                "codes": sample.faultCodes.joined(separator: ","),
            ])
        } else if out.isActive(statusFault) {
            let absent = (faultAbsence[""] ?? 0) + 1
            faultAbsence[""] = absent
            if absent >= limits.faultClearSamples {
                leave(statusFault, ["code": "status", "text": "Vehicle no longer reports status fault", "system": "vehicle"])
            }
        }

        // Paused by an operator: downtime of its own cause.
        let paused = HealthCondition(.paused)
        if sample.status == .paused { enter(paused, .info, [:]) } else { leave(paused, [:]) }

        // Energy levels with a band between the enter and leave levels.
        if let battery = sample.batteryPercent {
            let condition = HealthCondition(.lowBattery)
            let attributes = { ["battery_pct": Self.format(battery), "threshold_pct": Self.format(limits.lowBatteryEnterPercent)] }
            if battery < limits.lowBatteryEnterPercent {
                enter(condition, battery < limits.lowBatteryEnterPercent / 2 ? .critical : .warning, attributes())
            } else if battery > limits.lowBatteryLeavePercent {
                leave(condition, attributes())
            }
        }
        if let fuel = sample.fuelPercent {
            let condition = HealthCondition(.lowFuel)
            let attributes = { ["fuel_pct": Self.format(fuel), "threshold_pct": Self.format(limits.lowFuelEnterPercent)] }
            if fuel < limits.lowFuelEnterPercent {
                enter(condition, fuel < limits.lowFuelEnterPercent / 2 ? .critical : .warning, attributes())
            } else if fuel > limits.lowFuelLeavePercent {
                leave(condition, attributes())
            }
            fuelDrop(sample, fuel: fuel, limits: limits, into: &out)
        }

        // Overheating: confirmed over several samples each way.
        if let temperature = sample.engineTemperatureCelsius {
            let condition = HealthCondition(.overheating)
            if temperature > limits.overheatEnterCelsius {
                overheatRun = max(overheatRun, 0) + 1
            } else if temperature < limits.overheatLeaveCelsius {
                overheatRun = min(overheatRun, 0) - 1
            } else {
                overheatRun = 0
            }
            let attributes = { ["engine_temp_c": Self.format(temperature), "threshold_c": Self.format(limits.overheatEnterCelsius)] }
            if overheatRun >= limits.overheatEnterSamples { enter(condition, .critical, attributes()) }
            if -overheatRun >= limits.overheatLeaveSamples { leave(condition, attributes()) }
        }

        batteryPercent = sample.batteryPercent ?? batteryPercent
        fuelPercent = sample.fuelPercent ?? fuelPercent
        engineTemperatureCelsius = sample.engineTemperatureCelsius ?? engineTemperatureCelsius
        status = sample.status

        if rules.detectsAnomalies { detectAnomalies(sample, limits: limits, into: &out) }
        if let diagnostics = sample.diagnostics, let prognostics = rules.prognostics {
            forecast(diagnostics, prognostics: prognostics, limits: limits, into: &out)
        }
        return out.transitions
    }

    /// `fuel_drop`: while parked, the level is compared with a reference taken when the vehicle stopped (renewed every
    /// window, so slow idling consumption is not a theft); moving again or refuelling leaves the condition.
    private mutating func fuelDrop(_ sample: Telemetry, fuel: Double, limits: HealthThresholds, into out: inout Proposals) {
        let condition = HealthCondition(.fuelDrop)
        let parked = sample.speedMetersPerSecond < limits.parkedSpeedMetersPerSecond && sample.status != .moving
        guard parked else {
            parkedFuelReference = nil
            out.leave(condition, ["fuel_pct": Self.format(fuel)])
            return
        }
        guard let reference = parkedFuelReference, sample.deviceTimeMillis - parkedFuelReferenceMillis <= limits.fuelDropWindowMillis else {
            parkedFuelReference = fuel
            parkedFuelReferenceMillis = sample.deviceTimeMillis
            return
        }
        if fuel > reference {
            // Refuelled (or the gauge settled upwards): compare with the new level from now on.
            parkedFuelReference = fuel
            parkedFuelReferenceMillis = sample.deviceTimeMillis
            out.leave(condition, ["fuel_pct": Self.format(fuel)])
        } else if reference - fuel >= limits.fuelDropPercent {
            let minutes = Double(sample.deviceTimeMillis - parkedFuelReferenceMillis) / 60_000
            out.enter(condition, .critical, [
                "from_pct": Self.format(reference), "to_pct": Self.format(fuel), "drop_pct": Self.format(reference - fuel),
                "minutes": Self.format(minutes), "lat": Self.format(sample.position.latitude, digits: 6),
                "lon": Self.format(sample.position.longitude, digits: 6),
            ])
        }
    }

    private mutating func detectAnomalies(_ sample: Telemetry, limits: HealthThresholds, into out: inout Proposals) {
        // Stuck sensors are judged against the signal they should follow: speed against the engine's rpm moving, rpm
        // against speed moving. The slow, quantised temperature is legitimately flat for minutes, so it is checked for
        // spikes and drifts only.
        let speed = sample.speedMetersPerSecond
        let idle = speed < 0.84
        let rpmMoving = sample.rpm.flatMap { rpm in previousRPM.map { abs(rpm - $0) > 50 } }
        let speedMoving = previousSpeed.map { abs(speed - $0) > 0.3 }
        previousRPM = sample.rpm ?? previousRPM
        previousSpeed = speed
        func context(_ signal: WatchedSignal) -> AnomalyContext {
            switch signal {
            case .speed: AnomalyContext(moving: rpmMoving, idle: idle)
            case .rpm: AnomalyContext(moving: speedMoving, idle: idle)
            case .engineTemperature: AnomalyContext(moving: nil, idle: idle)
            }
        }
        // One call per signal (no array of readings per sample).
        check(.speed, sample.speedMetersPerSecond, context(.speed), limits: limits, into: &out)
        if let rpm = sample.rpm { check(.rpm, rpm, context(.rpm), limits: limits, into: &out) }
        if let temperature = sample.engineTemperatureCelsius {
            check(.engineTemperature, temperature, context(.engineTemperature), limits: limits, into: &out)
        }
    }

    private mutating func check(_ signal: WatchedSignal, _ value: Double, _ context: AnomalyContext, limits: HealthThresholds, into out: inout Proposals) {
        let condition = HealthCondition.anomaly(signal.rawValue)
        if let finding = detectors.observe(signal, value, context: context) {
            _ = detectors.calmCount(signal, normal: false)
            out.enter(condition, finding.score >= 2 ? .warning : .info, [
                "signal": signal.rawValue, "kind": finding.kind.rawValue, "score": Self.format(finding.score),
                "value": Self.format(finding.value), "expected_min": Self.format(finding.expectedLower),
                "expected_max": Self.format(finding.expectedUpper),
            ])
        } else if out.isActive(condition), detectors.calmCount(signal, normal: true) >= limits.anomalyLeaveSamples {
            out.leave(condition, ["signal": signal.rawValue])
        }
    }

    /// A number as event text: at most `digits` decimals, no trailing zeros.
    static func format(_ value: Double, digits: Int = 2) -> String {
        guard value.isFinite else { return "\(value)" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        if rounded == rounded.rounded(), abs(rounded) < 1e15 { return String(Int64(rounded)) }
        return String(rounded)
    }
}

/// The transitions one sample proposes, checked against the conditions recorded when it arrived.
struct Proposals {
    let vehicleID: VehicleID
    let timeMillis: Int64
    let active: [HealthCondition: Int64]
    var transitions: [HealthTransition] = []

    init(vehicleID: VehicleID, timeMillis: Int64, active: [HealthCondition: Int64]) {
        self.vehicleID = vehicleID
        self.timeMillis = timeMillis
        self.active = active
    }

    func isActive(_ condition: HealthCondition) -> Bool { active[condition] != nil }

    mutating func enter(_ condition: HealthCondition, _ severity: Severity, _ attributes: @autoclosure () -> [String: String]) {
        guard !isActive(condition) else { return }
        transitions.append(
            HealthTransition(
                vehicleID: vehicleID, condition: condition, change: .enter, timeMillis: timeMillis, severity: severity, attributes: attributes()))
    }

    mutating func leave(_ condition: HealthCondition, _ attributes: @autoclosure () -> [String: String]) {
        guard isActive(condition) else { return }
        transitions.append(
            HealthTransition(vehicleID: vehicleID, condition: condition, change: .leave, timeMillis: timeMillis, severity: .info, attributes: attributes()))
    }
}
