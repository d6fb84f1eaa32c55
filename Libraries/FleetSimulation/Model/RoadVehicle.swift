import FleetCore
import FleetGeo
import Foundation

/// One simulated vehicle driving a ``RoadGraph``: route following with acceleration and braking, energy, temperature,
/// odometer, command state and injected faults. Driven by ``RoadFleet``.
struct RoadVehicle: Sendable {
    let id: VehicleID
    let kind: VehicleKind
    /// The depot node (where it starts, charges and returns to).
    let home: Int
    var random: SplitMix64

    // MARK: Motion
    /// Edges of the current route; empty when stopped at `node`.
    var route: [Int] = []
    var routeIndex = 0
    /// Metres along `route[routeIndex]`.
    var offset = 0.0
    /// The node the vehicle stands on when it has no route.
    var node: Int
    var position: GeoCoordinate
    var heading = 0.0
    var speed = 0.0
    var odometer = 0.0
    /// Seconds left standing at a destination before the next trip.
    var dwellRemaining = 0.0

    // MARK: Energy and temperature
    /// Battery or fuel level, %.
    var energy: Double
    /// Usable share of the battery after degradation (1 = new).
    var capacityFactor = 1.0
    var charging = false
    var temperature: Double

    // MARK: Commands
    var paused = false
    var speedLimit: Double?
    var desiredRevision: UInt64?
    /// Heading home, because of a command or to charge.
    var goingHome = false
    var chargeOnArrival = false
    /// Parked at the depot after `return_to_base`, until resumed.
    var holdingAtBase = false
    var pendingReturnCommand: MessageID?
    /// The route given by `follow_route`, while driving it and, once done, while standing after its last stop.
    var followed: FollowedRoute?

    // MARK: Faults (seconds left of each episode)
    var breakdownRemaining = 0.0
    var overheatingRemaining = 0.0
    var sensorFaultRemaining = 0.0
    var sensorFaultCode = ""
    var gpsNoiseRemaining = 0.0
    var clockSkewRemaining = 0.0
    var clockSkewMillis: Int64 = 0
    var offlineRemaining = 0.0
    var batteryDegraded = false
    var gpsJumpPending = false

    // MARK: Host
    var cpuPercent: Double
    var memoryPercent: Double
    var diskPercent: Double

    var status: VehicleStatus = .idle

    init(id: VehicleID, kind: VehicleKind, home: Int, position: GeoCoordinate, random: SplitMix64) {
        self.id = id
        self.kind = kind
        self.home = home
        self.node = home
        self.position = position
        self.random = random
        self.energy = 60 + self.random.unit() * 40
        self.temperature = kind.temperatureRange.lowerBound
        self.cpuPercent = 10 + self.random.unit() * 30
        self.memoryPercent = 30 + self.random.unit() * 30
        self.diskPercent = 20 + self.random.unit() * 40
        self.dwellRemaining = self.random.unit() * 10
    }

    var isBrokenDown: Bool { breakdownRemaining > 0 }
    var isOverheating: Bool { overheatingRemaining > 0 }
    var isOffline: Bool { offlineRemaining > 0 }

    /// What the vehicle reports it is doing, derived from its state.
    func derivedStatus() -> VehicleStatus {
        if isBrokenDown || isOverheating { return .fault }
        if paused { return .paused }
        if charging { return .charging }
        if speed > 0.05 || !route.isEmpty { return .moving }
        return .idle
    }

    /// Active fault codes, sorted.
    var faultCodes: [String] {
        var codes: [String] = []
        if isBrokenDown { codes.append(FaultCodes.breakdown) }
        if isOverheating { codes.append(FaultCodes.overheating) }
        if batteryDegraded { codes.append(FaultCodes.batteryDegraded) }
        if sensorFaultRemaining > 0 { codes.append(sensorFaultCode) }
        return codes.sorted()
    }

    /// The speed the vehicle aims for on its current edge, in m/s.
    func targetSpeed(graph: RoadGraph) -> Double {
        guard routeIndex < route.count, !paused, !isBrokenDown else { return 0 }
        var target = min(graph.speed(of: route[routeIndex]), kind.maximumSpeed)
        if let speedLimit { target = min(target, speedLimit) }
        if isOverheating { target *= 0.5 }  // limp mode
        return target
    }

    /// Metres from the current position to the end of the route.
    func remainingRouteLength(graph: RoadGraph) -> Double {
        guard routeIndex < route.count else { return 0 }
        var remaining = graph.length(of: route[routeIndex]) - offset
        var index = routeIndex + 1
        // Only the next few hundred metres matter for braking.
        while index < route.count && remaining < 500 {
            remaining += graph.length(of: route[index])
            index += 1
        }
        return remaining
    }
}

extension SplitMix64 {
    /// A uniform value in `0..<1` (53 random bits).
    mutating func unit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A uniform value in `range`.
    mutating func uniform(_ range: ClosedRange<Double>) -> Double {
        range.lowerBound + unit() * (range.upperBound - range.lowerBound)
    }
}
