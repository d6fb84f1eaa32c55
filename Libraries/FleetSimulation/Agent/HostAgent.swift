public import FleetCore
public import FleetGeo
import Foundation

/// One real host reporting as one vehicle: its CPU, memory, disk and network figures from `/proc`, at a configured
/// position. Pause and resume change its reported status; it cannot move, so `return_to_base` is rejected.
public struct HostAgent: FleetModel {
    public let vehicleIDs: [VehicleID]
    /// The configured position.
    public let position: GeoCoordinate
    var reader: ProcHostMetricsReader
    var paused = false
    var speedLimit: Double?
    var desiredRevision: UInt64?
    var currentStatus: VehicleStatus = .idle
    var elapsed = 0.0
    var pending: [FleetOutput] = []
    /// Failed `/proc` readings (the sample is then sent without host metrics).
    public private(set) var readFailures = 0
    public var faultCounts: [FaultKind: Int] { [:] }

    /// Creates the agent for vehicle `id` at `position`.
    public init(id: VehicleID, position: GeoCoordinate, reader: ProcHostMetricsReader = ProcHostMetricsReader()) {
        vehicleIDs = [id]
        self.position = position
        self.reader = reader
    }

    public func status(of vehicle: Int) -> VehicleStatus { currentStatus }

    public mutating func step(seconds dt: Double, nowMillis: Int64) -> [FleetOutput] {
        var outputs = pending
        pending = []
        elapsed += dt
        let host: HostMetrics?
        do {
            host = try reader.read(nowSeconds: elapsed)
        } catch {
            readFailures += 1
            host = nil
        }
        if let change = refreshStatus() { outputs.append(change) }
        outputs.append(.telemetry(vehicle: 0, Telemetry(
            vehicleID: vehicleIDs[0], sequence: 0, deviceTimeMillis: nowMillis,
            position: Position(latitude: position.latitude, longitude: position.longitude),
            speedMetersPerSecond: 0, headingDegrees: 0, odometerMeters: 0, status: currentStatus,
            host: host.map { metrics in
                var rounded = metrics
                rounded.cpuPercent = (metrics.cpuPercent * 10).rounded() / 10
                rounded.memoryPercent = (metrics.memoryPercent * 10).rounded() / 10
                rounded.diskPercent = (metrics.diskPercent * 10).rounded() / 10
                return rounded
            }
        )))
        return outputs
    }

    mutating func refreshStatus() -> FleetOutput? {
        let status: VehicleStatus = paused ? .paused : .idle
        guard status != currentStatus else { return nil }
        currentStatus = status
        return .statusChanged(vehicle: 0, status)
    }

    public mutating func execute(_ command: Command, vehicle: Int, nowMillis: Int64) -> CommandOutcome {
        switch command.action {
        case .pause: paused = true
        case .resume: paused = false
        case .setSpeedLimit(let limit): speedLimit = limit
        case .clearSpeedLimit: speedLimit = nil
        case .returnToBase: return .rejected("a host agent cannot move")
        case .followRoute: return .rejected("a host agent cannot follow a route")
        }
        if let change = refreshStatus() { pending.append(change) }
        return .completed
    }

    public mutating func apply(_ desired: DesiredState, vehicle: Int) {
        if let current = desiredRevision, desired.revision < current { return }
        desiredRevision = desired.revision
        paused = desired.paused
        speedLimit = desired.speedLimitMetersPerSecond
        if let change = refreshStatus() { pending.append(change) }
    }
}
