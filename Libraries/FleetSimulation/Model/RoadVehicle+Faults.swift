import FleetCore

extension RoadVehicle {
    /// Draws which faults start in this step (`probabilities` indexed like `FaultKind.allCases`) and applies their
    /// immediate effects. Episodes already under way are not restarted. Returns the kinds that started.
    mutating func drawFaults(probabilities: [Double], episode: ClosedRange<Double>) -> [FaultKind] {
        var started: [FaultKind] = []
        for (position, kind) in FaultKind.allCases.enumerated() {
            let probability = probabilities[position]
            guard probability > 0, random.unit() < probability, canStart(kind) else { continue }
            start(kind, episode: episode)
            started.append(kind)
        }
        return started
    }

    func canStart(_ kind: FaultKind) -> Bool {
        switch kind {
        case .breakdown: !isBrokenDown
        case .overheating: !isOverheating
        case .batteryDegradation: self.kind.isElectric && capacityFactor > 0.5
        case .faultCode: sensorFaultRemaining <= 0
        case .gpsNoise: gpsNoiseRemaining <= 0
        case .gpsJump: !gpsJumpPending
        case .clockSkew: clockSkewRemaining <= 0
        case .malformedMessage, .oversizedMessage: !isOffline
        case .offlinePeriod: !isOffline
        }
    }

    mutating func start(_ kind: FaultKind, episode: ClosedRange<Double>) {
        switch kind {
        case .breakdown:
            breakdownRemaining = random.uniform(episode)
            speed = 0
        case .overheating:
            overheatingRemaining = random.uniform(episode)
            temperature = max(temperature, FaultEffects.overheatingCelsius)
        case .batteryDegradation:
            capacityFactor *= random.uniform(0.85...0.95)
            batteryDegraded = true
        case .faultCode:
            sensorFaultRemaining = random.uniform(episode)
            sensorFaultCode = FaultCodes.sensorFaults[Int(random.next() % UInt64(FaultCodes.sensorFaults.count))]
        case .gpsNoise:
            gpsNoiseRemaining = random.uniform(episode)
        case .gpsJump:
            gpsJumpPending = true
        case .clockSkew:
            clockSkewRemaining = random.uniform(episode)
            let magnitude = Int64(random.uniform(FaultEffects.clockSkewMillis))
            clockSkewMillis = random.next() & 1 == 0 ? magnitude : -magnitude
        case .malformedMessage, .oversizedMessage:
            break  // The fleet emits the payload.
        case .offlinePeriod:
            offlineRemaining = random.uniform(episode)
        }
    }

    /// Counts down running episodes by `seconds`.
    mutating func tickEpisodes(seconds dt: Double) {
        breakdownRemaining = max(0, breakdownRemaining - dt)
        overheatingRemaining = max(0, overheatingRemaining - dt)
        sensorFaultRemaining = max(0, sensorFaultRemaining - dt)
        gpsNoiseRemaining = max(0, gpsNoiseRemaining - dt)
        clockSkewRemaining = max(0, clockSkewRemaining - dt)
        offlineRemaining = max(0, offlineRemaining - dt)
    }

    /// A payload that claims to be this vehicle's telemetry but is not valid (one of several shapes).
    mutating func malformedPayload() -> [UInt8] {
        let id = self.id.rawValue
        let shapes = [
            #"{"v":1,"vehicle_id":"\#(id)","seq":"#,  // truncated
            #"{"v":1,"vehicle_id":"\#(id)","seq":-5,"device_time_ms":"yesterday","position":{"lat":91.5,"lon":7.42}}"#,
            #"{"v":1,"vehicle_id":"\#(id)","speed_mps":"fast","status":"flying"}"#,
            "\u{01}\u{02}garbage \(id) \u{7f}",
        ]
        return Array(shapes[Int(random.next() % UInt64(shapes.count))].utf8)
    }

    /// A payload larger than the default wire limit (64 KiB).
    func oversizedPayload() -> [UInt8] {
        let padding = String(repeating: "x", count: FleetLimits.defaultMaxMessageBytes + 1_024)
        return Array(#"{"v":1,"vehicle_id":"\#(id.rawValue)","padding":"\#(padding)"}"#.utf8)
    }
}
