import FleetCore

/// Random valid messages for property tests, deterministic per seed.
///
/// With `binaryExact`, every value is already quantised the way the binary codec stores it
/// (Float32, 1e-7° coordinates, 0.01° headings), so binary round trips must be bit-exact too.
struct MessageGenerator {
    var rng: SplitMix64
    let binaryExact: Bool

    init(seed: UInt64, binaryExact: Bool) {
        rng = SplitMix64(seed: seed)
        self.binaryExact = binaryExact
    }

    mutating func chance(_ probability: Double) -> Bool { Double.random(in: 0..<1, using: &rng) < probability }

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &rng) }

    /// A value in `range`, sometimes exactly a bound, quantised to Float32 when binary-exact.
    mutating func float(_ range: ClosedRange<Double>) -> Double {
        let value: Double
        switch int(0...9) {
        case 0: value = range.lowerBound
        case 1: value = range.upperBound
        case 2: value = (Double.random(in: range, using: &rng) * 10).rounded() / 10
        default: value = Double.random(in: range, using: &rng)
        }
        guard binaryExact else { return value }
        let quantised = Double(Float(value))
        return min(max(quantised, range.lowerBound), range.upperBound)
    }

    mutating func double(_ range: ClosedRange<Double>) -> Double {
        switch int(0...9) {
        case 0: return range.lowerBound
        case 1: return range.upperBound
        case 2: return Double.random(in: 0...1e-6, using: &rng)
        default: return Double.random(in: range, using: &rng)
        }
    }

    mutating func coordinate(_ range: ClosedRange<Double>) -> Double {
        if binaryExact {
            let scaled = Int64.random(in: Int64(range.lowerBound * 1e7)...Int64(range.upperBound * 1e7), using: &rng)
            return Double(scaled) / 1e7
        }
        return double(range)
    }

    mutating func heading() -> Double {
        if binaryExact { return Double(int(0...35_999)) / 100 }
        return chance(0.1) ? 0 : Double.random(in: 0..<360, using: &rng)
    }

    mutating func timestamp() -> Int64 {
        switch int(0...9) {
        case 0: FleetLimits.timestampMillis.lowerBound
        case 1: FleetLimits.timestampMillis.upperBound - 100_000_000
        default: Int64.random(in: 1_600_000_000_000...1_900_000_000_000, using: &rng)
        }
    }

    mutating func uint64() -> UInt64 {
        switch int(0...5) {
        case 0: 0
        case 1: UInt64.max
        case 2: UInt64.random(in: 0...UInt64.max, using: &rng)
        default: UInt64.random(in: 0...100_000, using: &rng)
        }
    }

    mutating func token(_ length: ClosedRange<Int>, lowercase: Bool = false) -> String {
        let alphabet = Array(lowercase ? "abcdefghijklmnopqrstuvwxyz0123456789._-" : "ABCXYZabcxyz0123456789._-")
        return String((0..<int(length)).map { _ in alphabet[int(0...(alphabet.count - 1))] })
    }

    /// Free text with characters that stress escaping: quotes, backslashes, controls, non-BMP.
    mutating func text(_ length: ClosedRange<Int>) -> String {
        let pool: [Unicode.Scalar] = [
            "a", "Z", " ", "0", "\"", "\\", "/", "\n", "\r", "\t", "\u{0}", "\u{1F}", "\u{7F}", "é", "ß", "€",
            "\u{2028}", "\u{FEFF}", "😀", "𝄞", "中",
        ]
        var scalars = String.UnicodeScalarView()
        for _ in 0..<int(length) { scalars.append(pool[int(0...(pool.count - 1))]) }
        return String(scalars)
    }

    /// A route or stop id: `[A-Za-z0-9_-]`, no dot.
    mutating func routeIdentifier() -> String {
        let alphabet = Array("ABCXYZabcxyz0123456789_-")
        return String((0..<int(FleetLimits.routeIdentifierLength)).map { _ in alphabet[int(0...(alphabet.count - 1))] })
    }

    mutating func route() -> RouteInstruction {
        let count = chance(0.03) ? FleetLimits.routeStops.upperBound : int(1...12)
        return RouteInstruction(
            routeID: routeIdentifier(),
            stops: (0..<count).map { _ in
                RouteStop(
                    id: routeIdentifier(), latitude: coordinate(FleetLimits.latitude), longitude: coordinate(FleetLimits.longitude),
                    serviceSeconds: chance(0.2) ? FleetLimits.routeServiceSeconds.upperBound : int(0...600))
            })
    }

    mutating func routeProgress() -> RouteProgress {
        RouteProgress(
            routeID: routeIdentifier(), completedStops: int(0...FleetLimits.routeStops.upperBound),
            nextStopID: chance(0.7) ? routeIdentifier() : nil)
    }

    mutating func vehicleID() -> VehicleID {
        // The alphabet guarantees validity; fall back to a fixed id rather than force-unwrapping.
        VehicleID(validating: token(FleetLimits.identifierLength)) ?? Fixtures.vehicle
    }

    mutating func messageID() -> MessageID {
        chance(0.5) ? MessageID.random() : (MessageID(validating: token(FleetLimits.identifierLength)) ?? Fixtures.commandID)
    }

    mutating func pick<T: CaseIterable>(_ type: T.Type) -> T where T.AllCases: RandomAccessCollection {
        T.allCases.randomElement(using: &rng) ?? T.allCases[T.allCases.startIndex]
    }

    // MARK: Messages

    mutating func telemetry() -> Telemetry {
        Telemetry(
            vehicleID: vehicleID(),
            sequence: uint64(),
            deviceTimeMillis: timestamp(),
            position: Position(
                latitude: coordinate(FleetLimits.latitude),
                longitude: coordinate(FleetLimits.longitude),
                accuracyMeters: chance(0.7) ? float(FleetLimits.accuracyMeters) : nil),
            speedMetersPerSecond: float(FleetLimits.speedMetersPerSecond),
            headingDegrees: heading(),
            odometerMeters: double(FleetLimits.odometerMeters),
            batteryPercent: chance(0.5) ? float(FleetLimits.percent) : nil,
            fuelPercent: chance(0.5) ? float(FleetLimits.percent) : nil,
            engineTemperatureCelsius: chance(0.5) ? float(FleetLimits.engineTemperatureCelsius) : nil,
            rpm: chance(0.5) ? float(FleetLimits.rpm) : nil,
            status: pick(VehicleStatus.self),
            faultCodes: (0..<(chance(0.3) ? int(0...FleetLimits.maxFaultCodes) : 0)).map { _ in
                token(FleetLimits.faultCodeLength)
            },
            host: chance(0.5)
                ? HostMetrics(
                    cpuPercent: float(FleetLimits.percent),
                    memoryPercent: float(FleetLimits.percent),
                    diskPercent: float(FleetLimits.percent),
                    networkRxBytesPerSecond: UInt64.random(in: FleetLimits.networkBytesPerSecond, using: &rng),
                    networkTxBytesPerSecond: chance(0.2) ? 0 : UInt64.random(in: 0...10_000_000, using: &rng))
                : nil,
            route: chance(0.3) ? routeProgress() : nil)
    }

    mutating func telemetryCommit() -> TelemetryCommit {
        TelemetryCommit(vehicleID: vehicleID(), sequence: uint64(), committedAtMillis: timestamp())
    }

    mutating func desiredState(for vehicle: VehicleID? = nil) -> DesiredState {
        DesiredState(
            vehicleID: vehicle ?? vehicleID(),
            revision: uint64(),
            paused: chance(0.5),
            speedLimitMetersPerSecond: chance(0.5) ? float(FleetLimits.speedLimitMetersPerSecond) : nil,
            updatedAtMillis: timestamp(),
            reason: chance(0.5) ? text(0...FleetLimits.maxReasonLength) : nil)
    }

    mutating func vehicleState() -> VehicleState {
        let id = vehicleID()
        return VehicleState(
            vehicleID: id,
            connectivity: pick(Connectivity.self),
            lastSeenMillis: timestamp(),
            status: chance(0.5) ? pick(VehicleStatus.self) : nil,
            desired: chance(0.5) ? desiredState(for: id) : nil,
            connection: chance(0.5) ? UInt64.random(in: 0...UInt64.max, using: &rng) : nil)
    }

    mutating func command() -> Command {
        let issued = timestamp()
        let action: CommandAction =
            switch pick(CommandAction.Kind.self) {
            case .pause: .pause
            case .resume: .resume
            case .returnToBase: .returnToBase
            case .clearSpeedLimit: .clearSpeedLimit
            case .setSpeedLimit: .setSpeedLimit(metersPerSecond: float(FleetLimits.speedLimitMetersPerSecond))
            case .followRoute: .followRoute(route())
            }
        return Command(
            id: messageID(), vehicleID: vehicleID(), action: action,
            reason: chance(0.5) ? text(0...FleetLimits.maxReasonLength) : nil,
            issuedAtMillis: issued, expiresAtMillis: issued + Int64(int(1...86_400_000)))
    }

    mutating func commandAck() -> CommandAck {
        CommandAck(
            commandID: messageID(), vehicleID: vehicleID(), status: pick(CommandAckStatus.self),
            reason: chance(0.5) ? text(0...FleetLimits.maxReasonLength) : nil, atMillis: timestamp())
    }

    mutating func fleetEvent() -> FleetEvent {
        var attributes: [String: String] = [:]
        for _ in 0..<int(0...FleetLimits.maxAttributes) {
            attributes[token(FleetLimits.attributeKeyLength, lowercase: true)] = text(0...FleetLimits.maxAttributeValueLength)
        }
        return FleetEvent(
            id: messageID(), type: pick(FleetEventType.self), severity: pick(Severity.self),
            vehicleID: chance(0.7) ? vehicleID() : nil, timeMillis: timestamp(), attributes: attributes)
    }

    mutating func alert() -> Alert {
        let fired = timestamp()
        let status = pick(AlertStatus.self)
        let acknowledged: Int64? = status == .acknowledged || (status == .resolved && chance(0.5)) ? fired + 1_000 : nil
        let resolved: Int64? = status == .resolved ? fired + 2_000 : nil
        return Alert(
            id: messageID(), ruleID: messageID(), dedupKey: text(1...FleetLimits.maxDedupKeyLength), status: status,
            severity: pick(Severity.self), vehicleID: chance(0.7) ? vehicleID() : nil,
            summary: text(1...FleetLimits.maxSummaryLength), firedAtMillis: fired, updatedAtMillis: fired + Int64(int(0...5_000)),
            acknowledgedAtMillis: acknowledged, resolvedAtMillis: resolved)
    }

    /// A random message of the given kind, type-erased.
    mutating func message(_ kind: MessageKind) -> any WireMessage {
        switch kind {
        case .telemetry: telemetry()
        case .telemetryCommit: telemetryCommit()
        case .vehicleState: vehicleState()
        case .desiredState: desiredState()
        case .command: command()
        case .commandAck: commandAck()
        case .fleetEvent: fleetEvent()
        case .alert: alert()
        case .positionBatch: positionBatch()
        case .commitBatch: commitBatch()
        }
    }

    mutating func commitBatch() -> CommitBatch {
        let count = chance(0.2) ? FleetLimits.commitBatchEntries.upperBound : int(1...20)
        return CommitBatch(
            committedAtMillis: timestamp(),
            commits: (0..<count).map { _ in CommitBatch.Entry(vehicleID: vehicleID(), sequence: uint64()) })
    }

    mutating func positionBatch() -> PositionBatch {
        let count = chance(0.2) ? FleetLimits.positionBatchEntries.upperBound : int(1...20)
        return PositionBatch(
            publishedAtMillis: timestamp(),
            positions: (0..<count).map { _ in
                PositionBatch.Entry(
                    vehicleID: vehicleID(), sequence: uint64(), deviceTimeMillis: timestamp(),
                    latitude: coordinate(FleetLimits.latitude), longitude: coordinate(FleetLimits.longitude),
                    speedMetersPerSecond: float(FleetLimits.speedMetersPerSecond), headingDegrees: heading(),
                    status: pick(VehicleStatus.self))
            })
    }
}
