import FleetCore

/// Hand-written valid messages used across the tests.
enum Fixtures {
    static let vehicle = vehicleID("truck-042")
    static let commandID = messageID("0d6f7a52-3c3e-4f43-9a0e-2a1c4bb1e7a1")
    static let now: Int64 = 1_700_000_000_123

    static var telemetry: Telemetry {
        Telemetry(
            vehicleID: vehicle, sequence: 1234, deviceTimeMillis: now,
            position: Position(latitude: 52.520008, longitude: 13.404954, accuracyMeters: 4.5),
            speedMetersPerSecond: 13.75, headingDegrees: 271.5, odometerMeters: 123_456.7,
            batteryPercent: 87.5, engineTemperatureCelsius: 41, status: .moving, faultCodes: ["P0420"],
            host: HostMetrics(
                cpuPercent: 12.5, memoryPercent: 40, diskPercent: 71.25, networkRxBytesPerSecond: 18_000,
                networkTxBytesPerSecond: 2_500))
    }

    static var minimalTelemetry: Telemetry {
        Telemetry(
            vehicleID: vehicle, sequence: 0, deviceTimeMillis: now, position: Position(latitude: 0, longitude: 0),
            speedMetersPerSecond: 0, headingDegrees: 0, odometerMeters: 0, status: .idle)
    }

    static var desired: DesiredState {
        DesiredState(
            vehicleID: vehicle, revision: 7, paused: true, speedLimitMetersPerSecond: 13.5, updatedAtMillis: now,
            reason: "storm warning")
    }

    static var command: Command {
        Command(
            id: commandID, vehicleID: vehicle, action: .setSpeedLimit(metersPerSecond: 22), reason: "school zone",
            issuedAtMillis: now, expiresAtMillis: now + 60_000)
    }

    static var ack: CommandAck {
        CommandAck(commandID: commandID, vehicleID: vehicle, status: .completed, atMillis: now + 1_500)
    }

    static var state: VehicleState {
        VehicleState(vehicleID: vehicle, connectivity: .online, lastSeenMillis: now, status: .moving, desired: desired, connection: 7)
    }

    static var event: FleetEvent {
        FleetEvent(
            id: commandID, type: .overspeed, severity: .warning, vehicleID: vehicle, timeMillis: now,
            attributes: ["speed_mps": "31.2", "limit_mps": "22.0"])
    }

    static var alert: Alert {
        Alert(
            id: commandID, ruleID: messageID("overspeed"), dedupKey: "overspeed:truck-042",
            status: .firing, severity: .critical, vehicleID: vehicle, summary: "truck-042 at 112 km/h in a 80 km/h zone",
            firedAtMillis: now, updatedAtMillis: now)
    }

    static var commit: TelemetryCommit {
        TelemetryCommit(vehicleID: vehicle, sequence: 1234, committedAtMillis: now + 20)
    }

    /// One fixture per kind.
    static func message(_ kind: MessageKind) -> any WireMessage {
        switch kind {
        case .telemetry: telemetry
        case .telemetryCommit: commit
        case .vehicleState: state
        case .desiredState: desired
        case .command: command
        case .commandAck: ack
        case .fleetEvent: event
        case .alert: alert
        case .positionBatch: positions
        case .commitBatch: commits
        }
    }

    static var commits: CommitBatch {
        CommitBatch(
            committedAtMillis: now + 20,
            commits: [CommitBatch.Entry(vehicleID: vehicle, sequence: 1234), CommitBatch.Entry(vehicleID: vehicleID("van-7"), sequence: 0)])
    }

    static var positions: PositionBatch {
        PositionBatch(
            publishedAtMillis: now + 900,
            positions: [
                PositionBatch.Entry(
                    vehicleID: vehicle, sequence: 1234, deviceTimeMillis: now, latitude: 43.7384, longitude: 7.4246,
                    speedMetersPerSecond: 12.5, headingDegrees: 87.5, status: .moving),
                PositionBatch.Entry(
                    vehicleID: vehicleID("van-7"), sequence: 9, deviceTimeMillis: now - 400, latitude: 43.731, longitude: 7.419,
                    speedMetersPerSecond: 0, headingDegrees: 0, status: .idle),
            ])
    }

    /// A vehicle id from a literal known to be valid (test helper; traps on a typo in a test).
    static func vehicleID(_ text: String) -> VehicleID {
        guard let id = VehicleID(validating: text) else { preconditionFailure("invalid test vehicle id \(text)") }
        return id
    }

    /// A message id from a literal known to be valid.
    static func messageID(_ text: String) -> MessageID {
        guard let id = MessageID(validating: text) else { preconditionFailure("invalid test message id \(text)") }
        return id
    }

    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
}
